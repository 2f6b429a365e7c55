import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from './support.ts';

describe('kanaria convert', () => {
  it('prints the Flagger NGINX canary as a kanaria.dev/v1beta1 Canary', async () => {
    const res = await runCli(['convert', '-f', 'test/fixtures/flagger/nginx-canary.yaml'], {
      kubeconfig: false,
    });
    expect(res.code).toBe(0);
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string });
    const canary = docs.find((d) => d.kind === 'Canary');
    expect(canary?.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(docs.find((d) => d.kind === 'Ingress')?.apiVersion).toBe('networking.k8s.io/v1');
    expect(res.stdout).not.toContain('flagger.app');
  });

  it('writes warnings to stderr and the YAML to -o', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kanaria-convert-'));
    try {
      const out = join(dir, 'out.yaml');
      const res = await runCli(['convert', '-f', 'test/fixtures/flagger/istio-canary.yaml', '-o', out], {
        kubeconfig: false,
      });
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/^warning: Canary\/\S+: spec\./m);
      expect(await readFile(out, 'utf8')).toContain('apiVersion: kanaria.dev/v1beta1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with the errors when a document cannot be converted', async () => {
    const res = await runCli(['convert', '-f', 'test/fixtures/flagger/rocket-alert-provider.yaml'], {
      kubeconfig: false,
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('cannot convert');
  });

  it('exits 1 when the file cannot be read', async () => {
    const res = await runCli(['convert', '-f', 'no/such/file.yaml'], { kubeconfig: false });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('cannot read no/such/file.yaml');
  });
});
