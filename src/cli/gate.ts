/** `kanaria gate`: the manual gating API (Flagger load tester compatible) on its own HTTP server. */
import type { Command } from 'commander';
import type { Kube } from '../kube/client.ts';
import { statusCode } from '../kube/client.ts';
import { parseListenAddress, startGateServer } from '../gate/server.ts';
import { createLogger } from '../observability/logger.ts';
import { CliError, connect, run, type KubeFlags } from './common.ts';

interface GateFlags extends KubeFlags {
  listenAddress: string;
  tokenSecret?: string;
  logLevel: string;
}

export const TOKEN_ENV = 'KANARIA_GATE_TOKEN';

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

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description('serve the manual gating API (/gate/*, /rollback/*) with its state kept on the Canaries')
    .option('--listen-address <host:port>', 'address to listen on', '127.0.0.1:8081')
    .option(
      '--token-secret <name>',
      `Secret (key "token") whose value /gate|rollback/open|close require as bearer token; default $${TOKEN_ENV}`,
    )
    .option('-n, --namespace <ns>', "namespace of the token Secret (default: the kubeconfig context's)")
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .action(
      run(async (flags: GateFlags) => {
        let listen: { host: string; port: number };
        try {
          listen = parseListenAddress(flags.listenAddress);
        } catch (err) {
          throw new CliError(`--listen-address: ${(err as Error).message}`);
        }
        const log = createLogger(flags.logLevel);
        const { kube, namespace } = connect(flags);
        const token = await gateToken(kube, namespace, flags.tokenSecret);
        if (!token) log.warn('no token configured: anyone who reaches the gate API can open and close gates');
        const gate = await startGateServer({ kube, log, token, ...listen });
        log.info({ url: gate.url }, 'gate API listening');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await gate.close();
      }),
    );
}
