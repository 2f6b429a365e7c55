import type { Command } from 'commander';
import { parseDuration } from '../api/duration.ts';
import type { DefaultAlertProvider } from '../controller/alerts.ts';
import { installCrds } from '../controller/install-crds.ts';
import { startController, DEFAULT_SELECTOR_LABELS } from '../controller/run.ts';
import { DEFAULT_WORKERS } from '../controller/manager.ts';
import { down, up, DEFAULT_BASE_PORT } from '../devcluster/cluster.ts';
import { createKube } from '../kube/client.ts';
import { countOfOneOrMore } from './common.ts';
import {
  DEFAULT_GATE_LISTEN_ADDRESS,
  GATE_AUTH_HELP,
  gateAuthFromFlags,
  serveGate,
  SLACK_RESPONSE_ORIGINS_HELP,
  SLACK_SIGNING_SECRET_HELP,
  TOKEN_ENV,
} from './gate.ts';
import { slackInteractivityFromFlags } from '../slack/config.ts';
import { createLogger } from '../observability/logger.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../router/nginx.ts';

interface ControllerFlags {
  kubeconfig?: string;
  namespace?: string;
  selectorLabels: string;
  ingressAnnotationPrefix: string;
  ingressClass?: string;
  logLevel: string;
  workers: number;
  metricsServer?: string;
  alertSecret?: string;
  alertSecretNamespace: string;
  alertType: string;
  clusterName?: string;
  listenAddress: string;
  leaderElect?: boolean;
  sharding?: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDuration: string;
  gateTokenSecret?: string;
  gateAuth: string;
  gateListenAddress: string;
  gate: boolean;
  slackSigningSecret?: string;
  slackResponseOrigins?: string;
  installCrds?: boolean;
  embedded?: boolean;
}

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('run the operator: watch Canaries and release their Deployments')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--embedded', 'start the embedded local control plane when no kubeconfig is given')
    .option('-n, --namespace <ns>', 'watch only this namespace (default: all)')
    .option(
      '--selector-labels <list>',
      'label names that identify a Deployment',
      DEFAULT_SELECTOR_LABELS.join(','),
    )
    .option(
      '--ingress-annotation-prefix <prefix>',
      'ingress-nginx annotation prefix',
      DEFAULT_ANNOTATION_PREFIX,
    )
    .option(
      '--ingress-class <class>',
      'ingressClassName for canary Ingresses whose source Ingress names none',
    )
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option('--workers <n>', 'canaries reconciled in parallel', countOfOneOrMore, DEFAULT_WORKERS)
    .option('--metrics-server <url>', 'Prometheus address for the built-in nginx metrics')
    .option('--alert-secret <name>', 'Secret whose "address" key holds the default alert webhook URL')
    .option(
      '--alert-secret-namespace <ns>',
      'namespace of --alert-secret and --gate-token-secret',
      process.env.POD_NAMESPACE ?? 'kanaria-system',
    )
    .option(
      '--alert-type <type>',
      'default alert provider type: slack, msteams, discord, googlechat or webhook',
      'slack',
    )
    .option('--cluster-name <name>', 'cluster name shown in alerts')
    .option('--listen-address <host:port>', 'serve /metrics, /healthz and /readyz here', '127.0.0.1:8080')
    .option('--leader-elect', 'reconcile only while holding a coordination.k8s.io Lease')
    .option(
      '--leader-election-namespace <ns>',
      'namespace of the Lease',
      process.env.POD_NAMESPACE ?? 'kanaria-system',
    )
    .option('--leader-election-id <name>', 'name of the Lease', 'kanaria-leader')
    .option(
      '--sharding',
      'split the Canaries among every replica started with it (member Leases in --leader-election-namespace); excludes --leader-elect',
    )
    .option(
      '--lease-duration <duration>',
      'how long a Lease holds without renewal (renew deadline 2/3, retry 1/7 of it)',
      '15s',
    )
    .option(
      '--gate-listen-address <host:port>',
      'serve the gate API (/gate/*, /rollback/*) and the release reports (/report/{namespace}/{name}) here',
      DEFAULT_GATE_LISTEN_ADDRESS,
    )
    .option('--gate-auth <mode>', GATE_AUTH_HELP, 'kubernetes')
    .option(
      '--gate-token-secret <name>',
      `with --gate-auth token: Secret (key "token", in the operator's namespace) the gate API's open/close need; default $${TOKEN_ENV}`,
    )
    .option('--slack-signing-secret <name>', `${SLACK_SIGNING_SECRET_HELP}; in --alert-secret-namespace`)
    .option('--slack-response-origins <list>', SLACK_RESPONSE_ORIGINS_HELP)
    .option('--no-gate', 'do not serve the gate API (/gate/*, /rollback/*) nor the release reports')
    .option('--install-crds', 'apply the CRDs before starting')
    .action(async (flags: ControllerFlags) => {
      const log = createLogger(flags.logLevel);
      let kubeconfig = flags.kubeconfig ?? process.env.KUBECONFIG;
      let embedded = false;
      if (!kubeconfig && flags.embedded) {
        const basePort = Number(process.env.KANARIA_CLUSTER_PORT ?? DEFAULT_BASE_PORT);
        const state = await up({ name: 'embedded', basePort, log: (l) => log.info(l) });
        kubeconfig = state.kubeconfig;
        embedded = true;
        log.info(`embedded control plane: export KUBECONFIG=${kubeconfig}`);
      }
      const kube = createKube(kubeconfig);
      if (flags.installCrds || embedded) await installCrds(kube);
      // The gate API: its own listen address; flags checked before the controller starts.
      const gateAuth = flags.gate
        ? await gateAuthFromFlags(kube, log, {
            mode: flags.gateAuth,
            tokenSecret: flags.gateTokenSecret,
            tokenNamespace: flags.alertSecretNamespace,
            authFlag: '--gate-auth',
            tokenSecretFlag: '--gate-token-secret',
          })
        : undefined;
      const slack = flags.gate
        ? await slackInteractivityFromFlags(kube, {
            signingSecret: flags.slackSigningSecret,
            namespace: flags.alertSecretNamespace,
            responseOrigins: flags.slackResponseOrigins,
            secretFlag: '--slack-signing-secret',
            originsFlag: '--slack-response-origins',
          })
        : undefined;
      if (flags.leaderElect && flags.sharding)
        throw new Error('--leader-elect and --sharding exclude each other: choose one');
      const leaseDurationMs = parseDuration(flags.leaseDuration);
      const leases = {
        namespace: flags.leaderElectionNamespace,
        leaseDurationMs,
        renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3),
        retryPeriodMs: Math.round(leaseDurationMs / 7),
        identity: process.env.POD_NAME ? `${process.env.POD_NAME}-${process.pid}` : undefined,
      };
      const controller = await startController({
        kubeconfig,
        namespace: flags.namespace,
        selectorLabels: flags.selectorLabels
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        ingressAnnotationPrefix: flags.ingressAnnotationPrefix,
        ingressClass: flags.ingressClass,
        log,
        workers: flags.workers,
        metricsServer: flags.metricsServer,
        clusterName: flags.clusterName,
        listenAddress: flags.listenAddress || undefined,
        leaderElection: flags.leaderElect ? { ...leases, name: flags.leaderElectionId } : undefined,
        sharding: flags.sharding ? leases : undefined,
        defaultAlertProvider: flags.alertSecret
          ? {
              type: flags.alertType as DefaultAlertProvider['type'],
              secretName: flags.alertSecret,
              secretNamespace: flags.alertSecretNamespace,
            }
          : undefined,
      });
      const gate = gateAuth
        ? await serveGate(kube, log, gateAuth, flags.gateListenAddress, '--gate-listen-address', slack).catch(
            async (err: unknown) => {
              await controller.stop();
              throw err;
            },
          )
        : undefined;
      const shutdown = async (signal: string) => {
        log.info({ signal }, 'shutting down');
        // In-flight reconciles are aborted and the Lease released within seconds; never outlive the
        // chart's terminationGracePeriodSeconds (30 s) even if the API server does not answer.
        setTimeout(() => {
          log.error({ signal }, 'shutdown took longer than 20s; exiting');
          process.exit(1);
        }, 20_000).unref();
        await gate?.close();
        await controller.stop();
        if (embedded) await down('embedded');
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
