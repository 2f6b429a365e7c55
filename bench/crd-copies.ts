// Copies of the Canary CRD as installed, each in an API group of its own, for bench/write-cost.ts to
// write the same status to Canaries of the shipped CRD and of a copy: the difference is what the
// changed part of the schema costs the API server on a status write.
//   PLAIN_GROUP   every CEL rule (x-kubernetes-validations) left out
//   ATOMIC_GROUP  status.conditions an atomic list instead of a map keyed by type (rules kept)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_DIR } from '../src/controller/install-crds.ts';

export const PLAIN_GROUP = 'plain.bench.kanaria.dev';
export const ATOMIC_GROUP = 'atomic.bench.kanaria.dev';

interface Crd {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    versions: { schema: { openAPIV3Schema: { properties: { status: Schema } } } }[];
  };
}
interface Schema {
  properties?: Record<string, Record<string, unknown>>;
}

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

async function shippedCrd(): Promise<Crd> {
  return parse(await readFile(join(CRD_DIR, 'canaries.yaml'), 'utf8')) as Crd;
}

function regrouped(crd: Crd, group: string): Record<string, unknown> {
  crd.metadata = { name: `canaries.${group}` };
  crd.spec.group = group;
  return crd as unknown as Record<string, unknown>;
}

/** The copy of the Canary CRD in PLAIN_GROUP, and how many rules were left out. */
export async function canaryCrdWithoutRules(): Promise<{ crd: Record<string, unknown>; dropped: number }> {
  const { value, dropped } = withoutRules(await shippedCrd());
  return { crd: regrouped(value as Crd, PLAIN_GROUP), dropped };
}

/** The copy of the Canary CRD in ATOMIC_GROUP: status.conditions replaced whole, as one field. */
export async function canaryCrdWithAtomicConditions(): Promise<Record<string, unknown>> {
  const crd = await shippedCrd();
  for (const version of crd.spec.versions) {
    const conditions = version.schema.openAPIV3Schema.properties.status.properties?.conditions;
    if (!conditions) throw new Error(`the Canary CRD's status has no conditions to make atomic`);
    conditions['x-kubernetes-list-type'] = 'atomic';
    delete conditions['x-kubernetes-list-map-keys'];
  }
  return regrouped(crd, ATOMIC_GROUP);
}
