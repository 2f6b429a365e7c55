import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeStepParts, stepPartsFromAudit } from './step-parts.ts';

const USER = 'system:serviceaccount:bench-system:kanaria';
const T0 = Date.parse('2026-12-04T07:00:00Z');

/** A completed write: received at `at` s after T0, taking `ms`. */
function write(
  at: number,
  ms: number,
  resource: string,
  name: string,
  extra: object = {},
  code = 200,
): string {
  return JSON.stringify({
    stage: 'ResponseComplete',
    verb: 'patch',
    user: { username: USER },
    objectRef: { resource, name, ...extra },
    responseStatus: { code },
    requestReceivedTimestamp: new Date(T0 + at * 1000).toISOString(),
    stageTimestamp: new Date(T0 + at * 1000 + ms).toISOString(),
  });
}

/** A weight step of `app`: its status write at `at` (taking `statusMs`), the Ingress write 10 ms after. */
function step(app: string, at: number, statusMs: number, ingressMs: number): string[] {
  return [
    write(at, statusMs, 'canaries', app, { subresource: 'status' }),
    write(at + (statusMs + 10) / 1000, ingressMs, 'ingresses', `${app}-canary`),
  ];
}

describe('the step lag from the API server timestamps', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('times each step from the Ingress writes and splits it into its parts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    const lines = [
      // before the bump: the initial Ingress, not a step
      ...step('app-0001', 0.5, 5, 5),
      ...step('app-0001', 100, 20, 20),
      // a status write refused with a conflict is not the step's
      write(110.2, 3, 'canaries', 'app-0001', { subresource: 'status' }, 409),
      // 300 ms late to arrive, then a slow status write
      ...step('app-0001', 110.3, 200, 20),
      ...step('app-0001', 120.3, 20, 20),
      // the Ingress back to 0 after the last step: not one of the 3 weight steps
      ...step('app-0001', 125, 20, 20),
      ...step('app-0002', 100, 20, 20),
      ...step('app-0002', 110, 20, 20),
    ];
    await writeFile(join(dir, 'audit.log'), lines.join('\n') + '\n');
    const bumps = new Map([
      ['app-0001', T0 + 50_000],
      ['app-0002', T0 + 50_000],
    ]);
    const parts = await stepPartsFromAudit(join(dir, 'audit.log'), USER, bumps, 3, 10_000);
    expect(parts?.samples).toBe(3);
    // app-0001: 2nd step 480 ms late (300 before + 180 slower status write), 3rd step 180 ms early
    expect(parts?.lagMs.max).toBe(480);
    expect(parts?.lagMs.p50).toBe(0);
    expect(parts?.slowestMeanMs).toEqual({
      lag: 480,
      beforeStatus: 300,
      statusWrite: 200,
      betweenWrites: 10,
      ingressWrite: 20,
      previousWriting: 50,
    });
    expect(describeStepParts(parts!)).toContain('slowest 2 % mean 480 ms = 300 before the status write');
  });

  it('reports nothing for a controller whose writes it cannot see', async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    await writeFile(join(dir, 'audit.log'), step('app-0001', 100, 20, 20).join('\n') + '\n');
    const parts = await stepPartsFromAudit(join(dir, 'audit.log'), 'someone-else', new Map(), 5, 10_000);
    expect(parts).toBeUndefined();
  });
});
