// A local control plane of its own whose kube-apiserver writes an audit log of the requests made by
// operator processes, each with its own ServiceAccount token: its user name in the log tells them apart
// (both would otherwise use the same admin token). The integration run's shared control plane keeps no
// audit log, so a test that counts one process's writes starts this one.
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { installCrds } from '../../../src/controller/install-crds.ts';
import { cacheRoot } from '../../../src/devcluster/binaries.ts';
import { clusterPorts, down, status, up } from '../../../src/devcluster/cluster.ts';
import { renderKubeconfig } from '../../../src/devcluster/kubeconfig.ts';
import { isPortFree } from '../../../src/devcluster/ports.ts';
import { createKube, type Kube } from '../../../src/kube/client.ts';

const SA_NAMESPACE = 'kanaria-audited';

/** Request bodies of Lease writes (their renewTime), metadata of every other request of the audited users. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Request
    userGroups: ["system:serviceaccounts:${SA_NAMESPACE}"]
    verbs: [create, update, patch]
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  - level: Metadata
    userGroups: ["system:serviceaccounts:${SA_NAMESPACE}"]
  - level: None
`;

export interface AuditEvent {
  verb: string;
  user: string;
  /** resource[/subresource], e.g. canaries/status. */
  resource: string;
  namespace?: string;
  name?: string;
  code?: number;
  /** requestReceivedTimestamp, epoch ms (microseconds dropped). */
  receivedAt: number;
  requestObject?: unknown;
}

export interface AuditedCluster {
  /** The admin's clients. */
  kube: Kube;
  kubeconfig: string;
  auditLog: string;
  /** A kubeconfig per audited user, with that user's ServiceAccount token. */
  users: Record<string, { kubeconfig: string; username: string }>;
  /** The completed requests of the audited users, in the order the log has them. */
  events(): Promise<AuditEvent[]>;
  stop(): Promise<void>;
}

/** The first base port from 18640 on (steps of 10) whose ports are free and whose name no run is using. */
async function freeBasePort(): Promise<number> {
  for (let base = 18640; base < 18840; base += 10) {
    const s = await status(`audited-${base}`);
    if (s.running) continue;
    if (s.state) await down(`audited-${base}`);
    if ((await Promise.all(Object.values(clusterPorts(base)).map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for an audited control plane from 18640 on');
}

/** Starts the control plane, installs the CRDs and makes one ServiceAccount (cluster-admin) per user. */
export async function startAuditedCluster(userNames: string[]): Promise<AuditedCluster> {
  const base = await freeBasePort();
  const name = `audited-${base}`;
  const workDir = join(cacheRoot(process.env), 'audited', name);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const auditLog = join(workDir, 'audit.log');
  const policy = join(workDir, 'audit-policy.yaml');
  await writeFile(policy, AUDIT_POLICY);
  const state = await up({
    name,
    basePort: base,
    log: () => {},
    apiserverArgs: [
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${auditLog}`,
      // Each entry is written before the answer goes out: a request the test saw answered is in the log.
      '--audit-log-mode=blocking',
      '--audit-log-maxsize=0',
    ],
  });
  const stop = async () => {
    await down(name);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const kube = createKube(state.kubeconfig);
    await installCrds(kube);
    await kube.core.createNamespace({ body: { metadata: { name: SA_NAMESPACE } } });
    const users: AuditedCluster['users'] = {};
    for (const user of userNames) {
      await kube.core.createNamespacedServiceAccount({
        namespace: SA_NAMESPACE,
        body: { metadata: { name: user } },
      });
      await kube.objects.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `audited-${user}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: user, namespace: SA_NAMESPACE }],
      } as never);
      const tr = await kube.core.createNamespacedServiceAccountToken({
        name: user,
        namespace: SA_NAMESPACE,
        body: { spec: { audiences: [], expirationSeconds: 3_600 } },
      });
      const kubeconfig = join(workDir, `kubeconfig-${user}`);
      await writeFile(kubeconfig, renderKubeconfig(state.server, tr.status?.token ?? '', user), {
        mode: 0o600,
      });
      users[user] = { kubeconfig, username: `system:serviceaccount:${SA_NAMESPACE}:${user}` };
    }
    return {
      kube,
      kubeconfig: state.kubeconfig,
      auditLog,
      users,
      events: () => readAuditLog(auditLog),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface RawAuditEvent {
  stage: string;
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  requestObject?: unknown;
}

async function readAuditLog(path: string): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as RawAuditEvent;
    // A watch is logged when its response starts; every other request when it completes.
    if (e.verb === 'watch' ? e.stage !== 'ResponseStarted' : e.stage !== 'ResponseComplete') continue;
    const ref = e.objectRef ?? {};
    out.push({
      verb: e.verb,
      user: e.user?.username ?? '',
      resource: `${ref.resource ?? '-'}${ref.subresource ? `/${ref.subresource}` : ''}`,
      namespace: ref.namespace,
      name: ref.name,
      code: e.responseStatus?.code,
      receivedAt: Date.parse(e.requestReceivedTimestamp),
      requestObject: e.requestObject,
    });
  }
  return out;
}

export const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
