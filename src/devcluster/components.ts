/** The command lines of the local control plane's components, and the fake nodes KWOK runs pods on. */
import { join } from 'node:path';
import type { ClusterPorts } from './cluster.ts';

export function etcdArgs(dir: string, ports: ClusterPorts): string[] {
  return [
    '--name=default',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=default=http://127.0.0.1:${ports.etcdPeer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

/** `extra` comes last, so a caller's flag overrides the one set here. */
export function apiserverArgs(dir: string, ports: ClusterPorts, extra: string[]): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${join(dir, 'pki')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(dir, 'pki', 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'pki', 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    ...extra,
  ];
}

export function controllerManagerArgs(dir: string, kubeconfig: string, ports: ClusterPorts): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--leader-elect=false',
    `--service-account-private-key-file=${join(dir, 'pki', 'sa.key')}`,
    '--use-service-account-credentials=false',
    '--profiling=false',
  ];
}

export function schedulerArgs(kubeconfig: string, ports: ClusterPorts): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export function kwokArgs(kubeconfig: string, ports: ClusterPorts): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
    '--cidr=10.244.0.1/16',
    '--node-ip=10.0.0.1',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${ports.kwok}`,
  ];
}

export interface NodeLike {
  status?: { conditions?: { type: string; status: string }[] };
}

export function fakeNode(name: string, podCIDR: string | undefined) {
  return {
    ...(podCIDR ? { spec: { podCIDR, podCIDRs: [podCIDR] } } : {}),
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '64', memory: '512Gi', pods: '2000' },
      capacity: { cpu: '64', memory: '512Gi', pods: '2000' },
    },
  };
}

export function nodesReady(items: NodeLike[]): boolean {
  return (
    items.length > 0 &&
    items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
  );
}
