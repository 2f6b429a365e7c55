import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/api/types.ts';
import { eventsOf } from '../fixtures.ts';
import { controllerEnv } from '../controller-env.ts';
import { waitFor } from '../helpers.ts';

describe('MetricTemplate and AlertProvider validation', () => {
  const env = controllerEnv('resources');

  const ready = async (plural: string, name: string) => {
    const obj = (await env.kube.custom.getNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural,
      namespace: env.ns.name,
      name,
    })) as { status?: { conditions?: Condition[] } };
    return obj.status?.conditions?.find((c) => c.type === 'Ready');
  };
  const create = (plural: string, kind: string, name: string, spec: object) =>
    env.kube.custom.createNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural,
      namespace: env.ns.name,
      body: { apiVersion: 'kanaria.dev/v1beta1', kind, metadata: { name }, spec },
    });

  it('reports an unusable spec in a Ready condition and an Event naming the field, a usable one as Ready', async () => {
    await create('metrictemplates', 'MetricTemplate', 'graphite-nowhere', {
      provider: { type: 'graphite' },
      query: 'sumSeries(x)',
    });
    await create('alertproviders', 'AlertProvider', 'slack', {
      type: 'slack',
      address: 'https://hooks.slack.example/services/x',
    });
    const bad = await waitFor('Ready=False on the template', async () => {
      const c = await ready('metrictemplates', 'graphite-nowhere');
      return c?.status === 'False' ? c : undefined;
    });
    expect(bad.reason).toBe('InvalidSpec');
    expect(bad.message).toContain('spec.provider.address');
    const good = await waitFor('Ready=True on the provider', async () => {
      const c = await ready('alertproviders', 'slack');
      return c?.status === 'True' ? c : undefined;
    });
    expect(good.reason).toBe('Valid');
    const notes = (await eventsOf(env.kube, env.ns.name, 'graphite-nowhere')).map((e) => e.note);
    expect(notes.some((n) => n.includes('cannot be used') && n.includes('spec.provider.address'))).toBe(true);
  });
});
