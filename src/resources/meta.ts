/** Labels and annotations Kanaria puts on what it creates. */
export const ANNOTATION_PREFIX = 'kanaria.dev';
export const PROMOTED_SPEC_ANNOTATION = `${ANNOTATION_PREFIX}/promoted-spec`;
export const PROMOTION_ID_ANNOTATION = `${ANNOTATION_PREFIX}/promotion-id`;
export const APPLIED_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/applied-hash`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const FINALIZER = `${ANNOTATION_PREFIX}/finalizer`;
/** Requests on a Canary, each naming the status.revision it is for (see `kanaria promote|abort`). */
export const APPROVE_ANNOTATION = `${ANNOTATION_PREFIX}/approve`;
export const ABORT_ANNOTATION = `${ANNOTATION_PREFIX}/abort`;
export const PROMOTE_ANNOTATION = `${ANNOTATION_PREFIX}/promote`;
/** Gate state of the gate API, as Flagger's load tester keeps it: `open` or `closed`. */
export const GATE_ANNOTATION = `gate.${ANNOTATION_PREFIX}/confirm`;
export const ROLLBACK_GATE_ANNOTATION = `gate.${ANNOTATION_PREFIX}/rollback`;

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export function ownerReference(owner: Owner) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
