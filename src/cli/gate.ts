/** `kanaria gate`: the manual gating API (Flagger load tester compatible) on its own HTTP server. */
import type { Command } from 'commander';
import type { Kube } from '../kube/client.ts';
import { statusCode } from '../kube/client.ts';
import {
  GATE_ACCESS,
  REPORT_ACCESS,
  GATE_AUTH_MODES,
  isGateAuthMode,
  kubeAccessReviewer,
  kubernetesGateAuth,
  noGateAuth,
  tokenGateAuth,
  type GateAuth,
} from '../gate/auth.ts';
import { parseListenAddress, startGateServer, type GateServer } from '../gate/server.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import type { SlackInteractivityOptions } from '../slack/route.ts';
import { SIGNING_SECRET_ENV, slackInteractivityFromFlags } from '../slack/config.ts';
import { CliError, connect, run, type KubeFlags } from './common.ts';

interface GateFlags extends KubeFlags {
  listenAddress: string;
  auth: string;
  tokenSecret?: string;
  logLevel: string;
  slackSigningSecret?: string;
  slackResponseOrigins?: string;
}

export const SLACK_SIGNING_SECRET_HELP = `serve Slack's interactivity endpoint (POST /slack/interactivity): Secret (key "signing-secret") with the Slack app's signing secret; default $${SIGNING_SECRET_ENV}`;
export const SLACK_RESPONSE_ORIGINS_HELP =
  'comma-separated origins Slack answers (response_url) may go to (default https://hooks.slack.com)';

export const TOKEN_ENV = 'KANARIA_GATE_TOKEN';
export const DEFAULT_GATE_LISTEN_ADDRESS = '127.0.0.1:8081';
export const GATE_AUTH_HELP = `who may open and close gates: ${GATE_AUTH_MODES.join(', ')}. kubernetes: a bearer token the API server accepts (TokenReview) whose user may ${GATE_ACCESS.verb} the Canary (SubjectAccessReview); token: one shared token; none: anyone (local demos only)`;

/** The token from Secret `name` (key `token`), else from $KANARIA_GATE_TOKEN; undefined when neither is set. */
export async function gateToken(
  kube: Kube,
  namespace: string,
  secret: string | undefined,
): Promise<string | undefined> {
  if (!secret) return process.env[TOKEN_ENV] || undefined;
  let data: Record<string, string> | undefined;
  try {
    data = (await kube.core.readNamespacedSecret({ name: secret, namespace })).data;
  } catch (err) {
    if (statusCode(err) === 404) throw new CliError(`secret ${secret} not found in namespace ${namespace}`);
    throw err;
  }
  const token = data?.token ? Buffer.from(data.token, 'base64').toString('utf8').trim() : '';
  if (!token) throw new CliError(`secret ${secret} in namespace ${namespace} has no non-empty key "token"`);
  return token;
}

export interface GateAuthFlags {
  /** kubernetes, token or none. */
  mode: string;
  tokenSecret?: string;
  /** Namespace of tokenSecret. */
  tokenNamespace: string;
  /** How the flags are spelt on this command, for messages: `--gate-auth`, `--gate-token-secret`. */
  authFlag: string;
  tokenSecretFlag: string;
}

/** The gate API's authentication from the command line; a CliError for a combination that makes no sense. */
export async function gateAuthFromFlags(kube: Kube, log: Logger, flags: GateAuthFlags): Promise<GateAuth> {
  const { mode, authFlag, tokenSecretFlag } = flags;
  if (!isGateAuthMode(mode))
    throw new CliError(
      `${authFlag} must be one of ${GATE_AUTH_MODES.join(', ')}, not ${JSON.stringify(mode)}`,
    );
  if (mode !== 'token' && flags.tokenSecret)
    throw new CliError(
      `${tokenSecretFlag} is only used with ${authFlag} token; the gate authenticates with ${mode} (drop ${tokenSecretFlag}, or add ${authFlag} token to keep a shared token)`,
    );
  if (mode === 'token') {
    const token = await gateToken(kube, flags.tokenNamespace, flags.tokenSecret);
    if (!token) throw new CliError(`${authFlag} token needs ${tokenSecretFlag} <secret> or $${TOKEN_ENV}`);
    log.info(
      { gateAuth: mode },
      'gate API: opening and closing gates needs the shared token; whoever holds it may change every gate',
    );
    return tokenGateAuth(token);
  }
  if (process.env[TOKEN_ENV])
    log.warn({ gateAuth: mode }, `$${TOKEN_ENV} is set but ignored: the gate authenticates with ${mode}`);
  if (mode === 'none') {
    log.warn(
      { gateAuth: mode },
      'gate API without authentication: anyone who reaches it can approve or roll back any release',
    );
    return noGateAuth();
  }
  log.info(
    { gateAuth: mode },
    `gate API: bearer tokens checked by TokenReview, access by SubjectAccessReview (${GATE_ACCESS.verb} ${GATE_ACCESS.resource}.${GATE_ACCESS.group} in the Canary's namespace; ${REPORT_ACCESS.verb} for /report)`,
  );
  return kubernetesGateAuth(kubeAccessReviewer(kube));
}

/** The gate API on `address` (host:port); a CliError naming `flag` when the address is not one. */
export async function serveGate(
  kube: Kube,
  log: Logger,
  auth: GateAuth,
  address: string,
  flag: string,
  slack?: SlackInteractivityOptions,
): Promise<GateServer> {
  let listen: { host: string; port: number };
  try {
    listen = parseListenAddress(address);
  } catch (err) {
    throw new CliError(`${flag}: ${(err as Error).message}`);
  }
  const gate = await startGateServer({ kube, log, auth, ...listen, slack });
  log.info({ url: gate.url, gateAuth: auth.mode, slackInteractivity: Boolean(slack) }, 'gate API listening');
  return gate;
}

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description(
      'serve the manual gating API (/gate/*, /rollback/*), with its state kept on the Canaries, and the release reports (/report/{namespace}/{name})',
    )
    .option('--listen-address <host:port>', 'address to listen on', DEFAULT_GATE_LISTEN_ADDRESS)
    .option('--auth <mode>', GATE_AUTH_HELP, 'kubernetes')
    .option(
      '--token-secret <name>',
      `with --auth token: Secret (key "token") whose value /gate|rollback/open|close require as bearer token; default $${TOKEN_ENV}`,
    )
    .option('-n, --namespace <ns>', "namespace of the token Secret (default: the kubeconfig context's)")
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option('--slack-signing-secret <name>', SLACK_SIGNING_SECRET_HELP)
    .option('--slack-response-origins <list>', SLACK_RESPONSE_ORIGINS_HELP)
    .action(
      run(async (flags: GateFlags) => {
        const log = createLogger(flags.logLevel);
        const { kube, namespace } = connect(flags);
        const auth = await gateAuthFromFlags(kube, log, {
          mode: flags.auth,
          tokenSecret: flags.tokenSecret,
          tokenNamespace: namespace,
          authFlag: '--auth',
          tokenSecretFlag: '--token-secret',
        });
        const slack = await slackInteractivityFromFlags(kube, {
          signingSecret: flags.slackSigningSecret,
          namespace,
          responseOrigins: flags.slackResponseOrigins,
          secretFlag: '--slack-signing-secret',
          originsFlag: '--slack-response-origins',
        }).catch((err: unknown) => {
          throw new CliError((err as Error).message, 1, { cause: err });
        });
        const gate = await serveGate(kube, log, auth, flags.listenAddress, '--listen-address', slack);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await gate.close();
      }),
    );
}
