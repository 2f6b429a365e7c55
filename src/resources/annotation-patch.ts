/**
 * When a weight step changes one annotation of an object Kanaria applied, a JSON merge patch of that
 * annotation costs the API server less than a server-side apply of the whole object. It is only safe
 * when the apply would change nothing else: the last applied object (known by its hash) differed from
 * the desired one in that annotation alone, and nobody edited the live object since. Anything else
 * (a field to drop, a hand edit to undo) needs the apply.
 */
import type { KubernetesObject } from '../kube/types.ts';
import { comparedFields, differences } from './compare.ts';
import { hashOf } from './hash.ts';
import { APPLIED_HASH_ANNOTATION } from './meta.ts';

/**
 * The annotations to merge-patch onto `live` to make it `desired` (whose hash is `hash`): `key`'s new
 * value and the new applied hash. Undefined when more than `key` changed since the last apply, when
 * `live` does not hold exactly that apply, or when `key` is not set on both.
 */
export function annotationOnlyPatch(
  desired: KubernetesObject,
  live: KubernetesObject,
  key: string,
  hash: string,
): Record<string, string> | undefined {
  const liveAnnotations = live.metadata?.annotations ?? {};
  const lastHash = liveAnnotations[APPLIED_HASH_ANNOTATION];
  const before = liveAnnotations[key];
  const after = desired.metadata?.annotations?.[key];
  if (lastHash === undefined || before === undefined || after === undefined || before === after)
    return undefined;
  // The desired object as it was when `live` was applied, if only `key` has changed since.
  const previous: KubernetesObject = {
    ...desired,
    metadata: { ...desired.metadata, annotations: { ...desired.metadata!.annotations, [key]: before } },
  };
  if (hashOf(previous) !== lastHash) return undefined;
  if (differences(comparedFields(previous), live).length > 0) return undefined;
  return { [key]: after, [APPLIED_HASH_ANNOTATION]: hash };
}
