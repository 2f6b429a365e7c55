// The Canary CRD as installed, copied into another API group with every CEL rule
// (x-kubernetes-validations) left out: bench/write-cost.ts writes the same status patch to Canaries of
// both, so the difference is what the rules cost the API server on a status write.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_DIR } from '../src/controller/run.ts';

export const PLAIN_GROUP = 'plain.bench.kanaria.dev';

function withoutRules(value: unknown): { value: unknown; dropped: number } {
  if (Array.isArray(value)) {
    let dropped = 0;
    const items = value.map((item) => {
      const out = withoutRules(item);
      dropped += out.dropped;
      return out.value;
    });
    return { value: items, dropped };
  }
  if (typeof value !== 'object' || value === null) return { value, dropped: 0 };
  let dropped = 0;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'x-kubernetes-validations') {
      dropped += (child as unknown[]).length;
      continue;
    }
    const out = withoutRules(child);
    dropped += out.dropped;
    copy[key] = out.value;
  }
  return { value: copy, dropped };
}

/** The copy of the Canary CRD in PLAIN_GROUP, and how many rules were left out. */
export async function canaryCrdWithoutRules(): Promise<{ crd: Record<string, unknown>; dropped: number }> {
  const crd = parse(await readFile(join(CRD_DIR, 'canaries.yaml'), 'utf8')) as {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { group: string };
  };
  const { value, dropped } = withoutRules(crd);
  const copy = value as typeof crd;
  copy.metadata = { name: `canaries.${PLAIN_GROUP}` };
  copy.spec.group = PLAIN_GROUP;
  return { crd: copy as unknown as Record<string, unknown>, dropped };
}
