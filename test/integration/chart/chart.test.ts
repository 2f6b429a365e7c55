import {
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertProvider, Canary, MetricTemplate } from '../../../src/api/types.ts';
import { validateAlertProvider, validateCanary, validateMetricTemplate } from '../../../src/api/validate.ts';
import { KUBE_VERSION } from '../../../src/devcluster/binaries.ts';
import { statusCode, type Kube } from '../../../src/kube/client.ts';
import { loadManifests } from '../../../src/kube/manifests.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import {
  chartDir,
  chartTools,
  examplesDir,
  kubeconform,
  run,
  writeCrdSchemas,
  yamlFiles,
  type ChartTools,
} from './tools.ts';

const FIELD_MANAGER = 'test';

/** What the gate API needs to check its callers (gate.auth=kubernetes). */
const REVIEW_RULES = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];
const GATEWAY_API = 'gateway.networking.k8s.io';
const HTTPROUTE_RULE = {
  apiGroups: [GATEWAY_API],
  resources: ['httproutes'],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
};
const GATEWAY_READ_RULE = {
  apiGroups: [GATEWAY_API],
  resources: ['gateways', 'gatewayclasses'],
  verbs: ['get', 'list', 'watch'],
};

function apply(kube: Kube, obj: KubernetesObject, dryRun?: 'All'): Promise<KubernetesObject> {
  return kube.objects.patch(obj, undefined, dryRun, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
}

async function ensureNamespace(kube: Kube, name: string): Promise<boolean> {
  try {
    await kube.core.readNamespace({ name });
    return false;
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
  await kube.core.createNamespace({ body: { metadata: { name } } });
  return true;
}

function semanticIssues(obj: KubernetesObject): string[] {
  if (obj.apiVersion !== 'kanaria.dev/v1beta1') return [];
  const issues =
    obj.kind === 'Canary'
      ? validateCanary(obj as Canary)
      : obj.kind === 'MetricTemplate'
        ? validateMetricTemplate(obj as MetricTemplate)
        : validateAlertProvider(obj as AlertProvider);
  return issues.map((i) => `${obj.kind}/${obj.metadata?.name}: ${i.field} ${i.message}`);
}

describe('examples', () => {
  const created: string[] = [];
  let kube: Kube;
  beforeAll(() => {
    kube = testKube();
  });
  afterAll(async () => {
    for (const name of created) await kube.core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('every example passes the Kanaria validators and applies to the API server', async () => {
    const files = await yamlFiles(examplesDir);
    expect(files).toEqual(
      expect.arrayContaining([
        'podinfo/canary.yaml',
        'podinfo/deployment.yaml',
        'podinfo/ingress.yaml',
        'metric-template.yaml',
        'alert-provider-slack.yaml',
        'ab-testing.yaml',
        'blue-green.yaml',
        'release-window.yaml',
      ]),
    );
    const kinds = new Set<string>();
    for (const file of files) {
      const objects = loadManifests(await readFile(join(examplesDir, file), 'utf8'));
      expect(objects.length, file).toBeGreaterThan(0);
      for (const obj of objects) {
        const what = `${file}: ${obj.kind}/${obj.metadata?.name}`;
        expect(semanticIssues(obj), what).toEqual([]);
        const namespace = obj.metadata?.namespace;
        expect(namespace, `${what} names its namespace`).toBeTruthy();
        if (await ensureNamespace(kube, namespace!)) created.push(namespace!);
        const applied = await apply(kube, obj).catch((err: unknown) => {
          throw new Error(`${what} was rejected: ${String((err as { body?: unknown }).body ?? err)}`);
        });
        expect(applied.metadata?.uid, what).toBeTruthy();
        kinds.add(`${obj.apiVersion}/${obj.kind}`);
      }
    }
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        'kanaria.dev/v1beta1/Canary',
        'kanaria.dev/v1beta1/MetricTemplate',
        'kanaria.dev/v1beta1/AlertProvider',
        'apps/v1/Deployment',
        'networking.k8s.io/v1/Ingress',
      ]),
    );
    // The last Canary applied (release-window.yaml, same name as the others) is stored as written.
    const canary = (await kube.custom.getNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      namespace: 'test',
      plural: 'canaries',
      name: 'podinfo',
    })) as Canary;
    expect(canary.spec.analysis.windows).toEqual([
      { schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'Europe/Berlin', kind: 'allow' },
    ]);
  });
});

const tools: ChartTools = await chartTools();

describe('helm chart', () => {
  const { helm, kubeconform: kubeconformBin } = tools;
  let tmp: string;
  let schemaDir: string;
  let helmEnv: NodeJS.ProcessEnv;
  let kube: Kube;
  const namespaces: { cleanup: () => Promise<void> }[] = [];

  beforeAll(async () => {
    kube = testKube();
    tmp = await mkdtemp(join(tmpdir(), 'kanaria-chart-'));
    schemaDir = join(tmp, 'schemas');
    expect(await writeCrdSchemas(join(chartDir, 'crds'), schemaDir)).toEqual([
      'alertprovider_v1beta1.json',
      'canary_v1beta1.json',
      'metrictemplate_v1beta1.json',
    ]);
    // Keep helm's cache and config out of the user's home.
    helmEnv = {
      ...process.env,
      HELM_CACHE_HOME: join(tmp, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(tmp, 'helm', 'config'),
      HELM_DATA_HOME: join(tmp, 'helm', 'data'),
    };
  });
  afterAll(async () => {
    for (const ns of namespaces) await ns.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function helmRun(args: string[]): Promise<string> {
    const r = await run(helm, args, helmEnv);
    expect(r.code, `helm ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  async function template(namespace: string, set: string[]): Promise<KubernetesObject[]> {
    const args = ['template', 'kanaria', chartDir, '-n', namespace, '--kube-version', KUBE_VERSION];
    for (const s of set) args.push('--set', s);
    const out = await helmRun(args);
    const file = join(tmp, `render-${namespace}.yaml`);
    await writeFile(file, out);
    const checked = await kubeconform(kubeconformBin, schemaDir, [file]);
    expect(checked.code, checked.raw).toBe(0);
    return loadManifests(out);
  }

  it('helm lint is clean in both RBAC modes', async () => {
    for (const set of [[], ['rbac.scope=namespace', 'watchNamespace=test']]) {
      const args = ['lint', '--strict', chartDir, '--kube-version', KUBE_VERSION];
      for (const s of set) args.push('--set', s);
      const out = await helmRun(args);
      expect(out).toContain('0 chart(s) failed');
      expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it('namespace RBAC mode without watchNamespace fails with a clear message', async () => {
    const r = await run(helm, ['template', 'kanaria', chartDir, '--set', 'rbac.scope=namespace'], helmEnv);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('rbac.scope=namespace needs watchNamespace');
  });

  it('renders valid objects in both RBAC modes (kubeconform for CRs, server-side dry run for built-ins)', async () => {
    const release = await freshNamespace(kube, 'chart');
    const watched = await freshNamespace(kube, 'watched');
    namespaces.push(release, watched);
    const everything = [
      'replicas=2',
      'alerts.secretName=slack-url',
      'gate.networkPolicy.enabled=true',
      'gate.networkPolicy.from[0].namespaceSelector.matchLabels.team=a',
      'podDisruptionBudget.enabled=true',
      'serviceMonitor.enabled=true',
      'grafana.dashboard.enabled=true',
      'ingress.class=nginx',
    ];
    const modes = {
      cluster: await template(release.name, everything),
      namespace: await template(release.name, [
        ...everything,
        'rbac.scope=namespace',
        `watchNamespace=${watched.name}`,
      ]),
    };
    for (const [mode, objects] of Object.entries(modes)) {
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds, mode).toContain('Deployment');
      for (const obj of objects) {
        // The Prometheus Operator's CRD is not installed here; its shape is checked below.
        if (obj.apiVersion === 'monitoring.coreos.com/v1') continue;
        await apply(kube, obj, 'All').catch((err: unknown) => {
          throw new Error(`${mode}: ${obj.kind}/${obj.metadata?.name} was rejected: ${String(err)}`);
        });
      }
    }
    const names = (objects: KubernetesObject[]) =>
      objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}`);
    expect(names(modes.cluster)).toEqual(expect.arrayContaining(['ClusterRole/', 'ClusterRoleBinding/']));
    expect(names(modes.namespace)).toEqual(
      expect.arrayContaining([`Role/${watched.name}`, `RoleBinding/${watched.name}`]),
    );
    // In namespace mode the cluster-wide grants are the gate API's reviews of its callers and the reads
    // of Gateways and GatewayClasses (cluster-scoped; a route's Gateway may be in another namespace).
    type Role = { kind: string; metadata: { name: string }; rules: object[] };
    const clusterRoles = modes.namespace.filter((o) => o.kind === 'ClusterRole') as unknown as Role[];
    const rulesOf = (roles: Role[], name: string) => roles.find((r) => r.metadata.name === name)?.rules;
    expect(clusterRoles.map((r) => r.metadata.name).sort()).toEqual([
      'kanaria-gate-auth',
      'kanaria-gateway-read',
    ]);
    expect(rulesOf(clusterRoles, 'kanaria-gate-auth')).toEqual(REVIEW_RULES);
    expect(rulesOf(clusterRoles, 'kanaria-gateway-read')).toEqual([GATEWAY_READ_RULE]);
    const bindings = modes.namespace.filter((o) => o.kind === 'ClusterRoleBinding') as unknown as {
      metadata: { name: string };
      roleRef: { name: string };
    }[];
    expect(bindings.map((b) => [b.metadata.name, b.roleRef.name]).sort()).toEqual([
      ['kanaria-gate-auth', 'kanaria-gate-auth'],
      ['kanaria-gateway-read', 'kanaria-gateway-read'],
    ]);
    const role = modes.namespace.find(
      (o) => o.kind === 'Role' && o.metadata?.name === 'kanaria',
    ) as unknown as Role;
    expect(role.rules).toEqual(
      expect.arrayContaining([
        HTTPROUTE_RULE,
        { apiGroups: [GATEWAY_API], resources: ['gateways'], verbs: ['get', 'list', 'watch'] },
      ]),
    );
    const clusterRole = modes.cluster.find((o) => o.kind === 'ClusterRole') as unknown as Role;
    expect(clusterRole.rules).toEqual(
      expect.arrayContaining([...REVIEW_RULES, HTTPROUTE_RULE, GATEWAY_READ_RULE]),
    );
    expect(modes.cluster.filter((o) => o.kind === 'ClusterRole')).toHaveLength(1);
    // Objects come back as the client's typed models (V1NetworkPolicy: `_from`).
    const policy = modes.namespace.find((o) => o.kind === 'NetworkPolicy') as V1NetworkPolicy;
    const [metricsRule, gateRule] = policy.spec!.ingress!;
    expect(policy.spec!.ingress).toHaveLength(2);
    expect(metricsRule._from).toBeUndefined();
    expect(metricsRule.ports).toEqual([expect.objectContaining({ port: 'http', protocol: 'TCP' })]);
    expect(gateRule.ports).toEqual([expect.objectContaining({ port: 'gate', protocol: 'TCP' })]);
    expect(
      gateRule._from?.map((p) => [p.podSelector?.matchLabels, p.namespaceSelector?.matchLabels]),
    ).toEqual([
      [{ 'app.kubernetes.io/name': 'kanaria', 'app.kubernetes.io/instance': 'kanaria' }, undefined],
      [undefined, { team: 'a' }],
    ]);

    const deployment = modes.namespace.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0].args).toEqual([
      'controller',
      '--namespace',
      watched.name,
      '--selector-labels',
      'app,name,app.kubernetes.io/name',
      '--ingress-annotation-prefix',
      'nginx.ingress.kubernetes.io',
      '--ingress-class',
      'nginx',
      '--log-level',
      'info',
      '--metrics-server',
      'http://prometheus:9090',
      '--listen-address',
      '0.0.0.0:8080',
      '--leader-elect',
      '--leader-election-namespace',
      release.name,
      '--leader-election-id',
      'kanaria-leader',
      '--alert-secret',
      'slack-url',
      '--alert-type',
      'slack',
      '--gate-listen-address',
      '0.0.0.0:8081',
      '--gate-auth',
      'kubernetes',
    ]);
    const monitor = modes.cluster.find((o) => o.kind === 'ServiceMonitor') as unknown as {
      spec: { endpoints: { port: string; path: string; interval: string }[] };
    };
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http', path: '/metrics', interval: '30s' }),
    ]);
    const dashboard = modes.cluster.find((o) => o.kind === 'ConfigMap') as unknown as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    const json = JSON.stringify(JSON.parse(dashboard.data['kanaria.json']));
    for (const series of [
      'kanaria_canary_status',
      'kanaria_canary_weight',
      'kanaria_canary_failed_checks',
      'kanaria_release_duration_seconds_bucket',
      'kanaria_releases_total',
      'kanaria_reconcile_duration_seconds_bucket',
      'kanaria_workqueue_depth',
      'kanaria_api_requests_total',
      'kanaria_reconcile_busy_seconds_total',
      'kanaria_events_waiting',
      'kanaria_events_dropped_total',
    ])
      expect(json).toContain(series);
  });

  it('namespace RBAC mode with rbac.gatewayApiClusterRead=false reads Gateways in watchNamespace only', async () => {
    const objects = await template('kanaria-system', [
      'rbac.scope=namespace',
      'watchNamespace=apps',
      'rbac.gatewayApiClusterRead=false',
    ]);
    const names = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(names).not.toContain('ClusterRole/kanaria-gateway-read');
    expect(names).not.toContain('ClusterRoleBinding/kanaria-gateway-read');
    const role = objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'kanaria') as unknown as {
      rules: { apiGroups: string[]; resources: string[] }[];
    };
    const gatewayApi = role.rules.filter((r) => r.apiGroups.includes(GATEWAY_API));
    expect(gatewayApi.flatMap((r) => r.resources).sort()).toEqual(['gateways', 'httproutes']);
  });

  it('renders sharding: every replica with --sharding, member Lease rights, no leader election', async () => {
    const objects = await template('kanaria-system', ['sharding.enabled=true', 'replicas=3']);
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } };
    };
    const args = deployment.spec.template.spec.containers[0].args;
    expect(deployment.spec.replicas).toBe(3);
    expect(args).toContain('--sharding');
    expect(args).not.toContain('--leader-elect');
    const self = objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'kanaria-self') as unknown as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    const leases = self.rules.find((r) => r.resources.includes('leases'));
    expect(leases?.verbs.sort()).toEqual(['create', 'delete', 'get', 'list', 'update']);
  });

  it('renders the gate: a shared token only when asked for, off when disabled, clear errors otherwise', async () => {
    const release = await freshNamespace(kube, 'chart-gate');
    namespaces.push(release);
    const argsOf = (objects: KubernetesObject[]) =>
      (
        objects.find((o) => o.kind === 'Deployment') as unknown as {
          spec: { template: { spec: { containers: { args: string[] }[] } } };
        }
      ).spec.template.spec.containers[0].args;
    const rulesOf = (objects: KubernetesObject[], kind: string, name: string) =>
      (objects.find((o) => o.kind === kind && o.metadata?.name === name) as unknown as { rules: object[] })
        .rules;

    const token = await template(release.name, ['gate.auth=token', 'gate.tokenSecretName=gate-token']);
    expect(argsOf(token).slice(-6)).toEqual([
      '--gate-listen-address',
      '0.0.0.0:8081',
      '--gate-auth',
      'token',
      '--gate-token-secret',
      'gate-token',
    ]);
    expect(rulesOf(token, 'ClusterRole', 'kanaria')).not.toEqual(expect.arrayContaining([REVIEW_RULES[0]]));
    expect(rulesOf(token, 'Role', 'kanaria-self')).toContainEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['gate-token'],
      verbs: ['get', 'list', 'watch'],
    });

    const off = await template(release.name, ['gate.enabled=false', 'gate.networkPolicy.enabled=true']);
    expect(argsOf(off).at(-1)).toBe('--no-gate');
    expect(off.map((o) => o.kind)).not.toContain('NetworkPolicy');
    const service = off.find((o) => o.kind === 'Service') as unknown as {
      spec: { ports: { name: string }[] };
    };
    expect(service.spec.ports.map((p) => p.name)).toEqual(['http']);

    for (const [set, message] of [
      [['gate.tokenSecretName=gate-token'], 'gate.tokenSecretName is set but gate.auth is kubernetes'],
      [['gate.auth=token'], 'gate.auth=token needs gate.tokenSecretName'],
      [['gate.auth=none'], "value must be one of 'kubernetes', 'token'"],
      [['gate.port=8080'], '/gate/port'],
    ] as const) {
      const args = ['template', 'kanaria', chartDir];
      for (const s of set) args.push('--set', s);
      const r = await run(helm, args, helmEnv);
      expect(r.code, set.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  it('renders Slack approvals: the signing secret flag and its Secret grant, an Ingress for the interactivity path only', async () => {
    const release = await freshNamespace(kube, 'chart-slack');
    namespaces.push(release);
    const objects = await template(release.name, [
      'gate.slack.signingSecretName=slack-signing',
      'gate.slack.responseOrigins={https://hooks.slack.com,https://hooks.slack-gov.com}',
      'gate.slack.ingress.enabled=true',
      'gate.slack.ingress.host=kanaria.example.com',
      'gate.slack.ingress.tlsSecretName=kanaria-tls',
    ]);
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0].args.slice(-4)).toEqual([
      '--slack-signing-secret',
      'slack-signing',
      '--slack-response-origins',
      'https://hooks.slack.com,https://hooks.slack-gov.com',
    ]);
    const self = objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'kanaria-self') as unknown as {
      rules: object[];
    };
    expect(self.rules).toContainEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['slack-signing'],
      verbs: ['get', 'list', 'watch'],
    });
    const ingress = objects.find((o) => o.kind === 'Ingress') as unknown as {
      spec: { tls: object[]; rules: { host: string; http: { paths: object[] } }[] };
    };
    expect(ingress.spec.tls).toEqual([{ hosts: ['kanaria.example.com'], secretName: 'kanaria-tls' }]);
    expect(ingress.spec.rules).toEqual([
      {
        host: 'kanaria.example.com',
        http: {
          paths: [
            {
              path: '/slack/interactivity',
              pathType: 'Exact',
              backend: { service: { name: 'kanaria', port: { name: 'gate' } } },
            },
          ],
        },
      },
    ]);
    expect((await template(release.name, [])).map((o) => o.kind)).not.toContain('Ingress');

    for (const [set, message] of [
      [
        ['gate.slack.ingress.enabled=true', 'gate.slack.ingress.host=k.example.com'],
        'needs gate.slack.signingSecretName',
      ],
      [
        ['gate.slack.signingSecretName=s', 'gate.slack.ingress.enabled=true'],
        'needs gate.slack.ingress.host',
      ],
      [['gate.slack.responseOrigins={hooks.slack.com}'], '/gate/slack/responseOrigins/0'],
    ] as const) {
      const args = ['template', 'kanaria', chartDir];
      for (const s of set) args.push('--set', s);
      const r = await run(helm, args, helmEnv);
      expect(r.code, set.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  it('the examples validate with kubeconform against the CRD schemas', async () => {
    const files = (await yamlFiles(examplesDir)).map((f) => join(examplesDir, f));
    const checked = await kubeconform(kubeconformBin, schemaDir, files);
    expect(checked.code, checked.raw).toBe(0);
    const custom = checked.resources.filter((r) => r.version === 'kanaria.dev/v1beta1');
    expect(custom.length).toBeGreaterThanOrEqual(6);
    for (const r of custom) expect(r.status, `${r.kind}/${r.name}: ${r.msg}`).toBe('statusValid');
  });

  it('helm install creates every object, and the pod passes the restricted Pod Security profile', async () => {
    const namespace = 'kanaria-system';
    namespaces.push({
      cleanup: async () => {
        await run(helm, ['uninstall', 'kanaria', '-n', namespace, '--kubeconfig', kubeconfigPath()], helmEnv);
        await kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
      },
    });
    await kube.core.createNamespace({
      body: {
        metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    });
    const notes = await helmRun([
      'install',
      'kanaria',
      chartDir,
      '-n',
      namespace,
      '--create-namespace',
      '--kubeconfig',
      kubeconfigPath(),
      '--skip-crds',
    ]);
    expect(notes).toContain('kubectl -n test get canaries -w');

    const deployment = await kube.apps.readNamespacedDeployment({ name: 'kanaria', namespace });
    expect(deployment.spec?.template.spec?.serviceAccountName).toBe('kanaria');
    await kube.core.readNamespacedServiceAccount({ name: 'kanaria', namespace });
    const service = await kube.core.readNamespacedService({ name: 'kanaria', namespace });
    expect(service.spec?.ports).toEqual([
      expect.objectContaining({ name: 'http', port: 8080 }),
      expect.objectContaining({ name: 'gate', port: 8081 }),
    ]);
    const rbac = kube.kc.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readClusterRole({ name: 'kanaria' });
    expect(role.rules?.find((r) => r.resources?.includes('canaries/status'))?.verbs).toEqual([
      'get',
      'patch',
      'update',
    ]);
    const binding = await rbac.readClusterRoleBinding({ name: 'kanaria' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kanaria', namespace }]);
    // What the API server's authorizer grants the ServiceAccount for the Gateway API provider.
    const allowed = async (verb: string, resource: string) =>
      (
        await kube.authz.createSubjectAccessReview({
          body: {
            spec: {
              user: `system:serviceaccount:${namespace}:kanaria`,
              resourceAttributes: { group: GATEWAY_API, resource, verb, namespace: 'apps' },
            },
          },
        })
      ).status?.allowed;
    for (const verb of HTTPROUTE_RULE.verbs) expect(await allowed(verb, 'httproutes'), verb).toBe(true);
    for (const resource of ['gateways', 'gatewayclasses']) {
      expect(await allowed('watch', resource), resource).toBe(true);
      expect(await allowed('create', resource), resource).toBe(false);
    }
    const leases = await rbac.readNamespacedRole({ name: 'kanaria-self', namespace });
    expect(leases.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
    await rbac.readNamespacedRoleBinding({ name: 'kanaria-self', namespace });
    // Pod Security admission rejects a pod that breaks the restricted profile, so a ready replica
    // proves it does not (KWOK marks the pod Running and Ready without a container runtime).
    await waitFor('kanaria pod ready', async () => {
      const d = await kube.apps.readNamespacedDeployment({ name: 'kanaria', namespace });
      if (d.status?.readyReplicas === 1) return true;
      const failure = d.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
      if (failure) throw new Error(failure.message);
      return false;
    });
  });
});
