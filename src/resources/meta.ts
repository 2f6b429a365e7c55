/** Labels and annotations Kanaria puts on what it creates. */
export const ANNOTATION_PREFIX = 'kanaria.dev';
export const PROMOTED_SPEC_ANNOTATION = `${ANNOTATION_PREFIX}/promoted-spec`;
export const PROMOTION_ID_ANNOTATION = `${ANNOTATION_PREFIX}/promotion-id`;
export const APPLIED_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/applied-hash`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const FINALIZER = `${ANNOTATION_PREFIX}/finalizer`;

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
