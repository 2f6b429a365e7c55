/** ServiceAccounts with real tokens (TokenRequest API) and RBAC grants on Canaries, for the gate tests. */
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { Kube } from '../../../src/kube/client.ts';

export interface Account {
  namespace: string;
  name: string;
  /** `system:serviceaccount:<namespace>:<name>`, as TokenReview names it. */
  username: string;
  token: string;
}

/** Creates ServiceAccount `name` and asks the TokenRequest API for a token of it (10 minutes). */
export async function serviceAccount(kube: Kube, namespace: string, name: string): Promise<Account> {
  await kube.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const request = await kube.core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  return { namespace, name, username: `system:serviceaccount:${namespace}:${name}`, token };
}

/** A Role granting `update` on the Canaries of `namespace` (all, or those named), bound to `account`. */
export async function grantCanaryUpdate(
  kube: Kube,
  namespace: string,
  account: Account,
  roleName = `canary-approver-${account.name}`,
  resourceNames?: string[],
): Promise<void> {
  const rbac = kube.kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: roleName },
      rules: [{ apiGroups: ['kanaria.dev'], resources: ['canaries'], verbs: ['update'], resourceNames }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: roleName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }],
    },
  });
}

/** POSTs a gate call; `token` goes as `Authorization: Bearer <token>`. */
export async function gateCall(
  baseUrl: string,
  path: string,
  body: object,
  token?: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: res.status, text: await res.text() };
}
