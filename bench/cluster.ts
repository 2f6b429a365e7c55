// The benchmarks' own local control plane: kube-apiserver writes an audit log of the requests
// made by the controllers' ServiceAccounts (a second one for Kanaria's sharding run), so API usage is
// counted per client and per verb.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installCrds } from '../src/controller/install-crds.ts';
import { cacheRoot } from '../src/devcluster/binaries.ts';
import { down, up, type ClusterState } from '../src/devcluster/cluster.ts';
import { renderKubeconfig } from '../src/devcluster/kubeconfig.ts';
import { createKube, type Kube } from '../src/kube/client.ts';

const run = promisify(execFile);

export const SA_NAMESPACE = 'bench-system';
export type ControllerName = 'kanaria' | 'flagger';
export const CONTROLLERS: ControllerName[] = ['kanaria', 'flagger'];
/** ServiceAccounts: one per controller, and `kanaria-b` for the second Kanaria replica of the sharding run. */
export type Account = ControllerName | 'kanaria-b';
const ACCOUNTS: Account[] = [...CONTROLLERS, 'kanaria-b'];

export interface BenchCluster {
  state: ClusterState;
  kube: Kube;
  workDir: string;
  auditLog: string;
  /** A kubeconfig per controller, each for its own ServiceAccount (its user name in the audit log). */
  kubeconfigs: Record<Account, string>;
  usernames: Record<Account, string>;
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts:${SA_NAMESPACE}"]
  - level: None
`;

export async function startCluster(opts: {
  name: string;
  basePort: number;
  nodes: number;
  flaggerCrd?: string;
  /** Serve kube-apiserver's /debug/pprof (off on every other local control plane). */
  apiserverProfiling?: boolean;
  log: (l: string) => void;
}): Promise<BenchCluster> {
  const workDir = join(cacheRoot(process.env), 'bench', `${opts.name}-${Date.now()}`);
  await mkdir(workDir, { recursive: true });
  const auditLog = join(workDir, 'audit.log');
  const policy = join(workDir, 'audit-policy.yaml');
  await writeFile(policy, AUDIT_POLICY);
  const state = await up({
    name: opts.name,
    basePort: opts.basePort,
    nodes: opts.nodes,
    log: opts.log,
    apiserverArgs: [
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-mode=blocking',
      // In megabytes; 0 would mean the default of 100 MB, after which the log is rotated.
      '--audit-log-maxsize=1000000',
      ...(opts.apiserverProfiling ? ['--profiling=true'] : []),
    ],
  });
  const kube = createKube(state.kubeconfig);
  await installCrds(kube);
  if (opts.flaggerCrd) {
    await run('kubectl', ['--kubeconfig', state.kubeconfig, 'apply', '--server-side', '-f', opts.flaggerCrd]);
    await run('kubectl', [
      '--kubeconfig',
      state.kubeconfig,
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/canaries.flagger.app',
    ]);
  }
  await kube.core.createNamespace({ body: { metadata: { name: SA_NAMESPACE } } });
  const kubeconfigs = {} as Record<Account, string>;
  const usernames = {} as Record<Account, string>;
  for (const c of ACCOUNTS) {
    await kube.core.createNamespacedServiceAccount({
      namespace: SA_NAMESPACE,
      body: { metadata: { name: c } },
    });
    await kube.objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `bench-${c}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: c, namespace: SA_NAMESPACE }],
    } as never);
    const tr = await kube.core.createNamespacedServiceAccountToken({
      name: c,
      namespace: SA_NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: 86_400 } },
    });
    const path = join(workDir, `kubeconfig-${c}`);
    await writeFile(path, renderKubeconfig(state.server, tr.status?.token ?? '', `bench-${c}`), {
      mode: 0o600,
    });
    kubeconfigs[c] = path;
    usernames[c] = `system:serviceaccount:${SA_NAMESPACE}:${c}`;
  }
  return { state, kube, workDir, auditLog, kubeconfigs, usernames };
}

export async function stopCluster(name: string): Promise<void> {
  await down(name);
}
