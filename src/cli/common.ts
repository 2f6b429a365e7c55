/** What the Canary commands share: kubeconfig and namespace flags, errors with exit codes, lookups. */
import { InvalidArgumentError, type Command } from 'commander';
import type { Canary } from '../api/types.ts';
import { contextNamespace, readCanary } from '../kube/canaries.ts';
import { createKube, describeError, type Kube } from '../kube/client.ts';

export interface KubeFlags {
  kubeconfig?: string;
  namespace?: string;
}

/** An error the user should read: printed as is, the process exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Adds --kubeconfig and -n/--namespace to a command. */
export function withKubeFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('-n, --namespace <ns>', "namespace (default: the kubeconfig context's, else default)");
}

export interface Target {
  kube: Kube;
  namespace: string;
}

export function connect(flags: KubeFlags): Target {
  const kube = createKube(flags.kubeconfig ?? process.env.KUBECONFIG);
  return { kube, namespace: flags.namespace ?? contextNamespace(kube) };
}

export function notFound(name: string, namespace: string): CliError {
  return new CliError(`canary ${name} not found in namespace ${namespace}`);
}

/** The Canary, or a CliError saying it does not exist. */
export async function mustReadCanary(kube: Kube, namespace: string, name: string): Promise<Canary> {
  const canary = await readCanary(kube, namespace, name);
  if (!canary) throw notFound(name, namespace);
  return canary;
}

/** The error's message with its causes: `fetch failed: connect ECONNREFUSED 127.0.0.1:6443`. */
export function errorText(err: unknown): string {
  const parts = [describeError(err)];
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < 3; depth++) {
    const text = cause instanceof Error ? cause.message : String(cause);
    if (text && !parts.includes(text)) parts.push(text);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * Wraps a command action: a CliError prints its message and sets its exit code, any other error
 * prints the API server's message (or the error's) and exits 1.
 */
export function run<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      if (err instanceof CliError) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(`error: ${errorText(err)}\n`);
      process.exitCode = 1;
    }
  };
}

/** An option parser for a whole number in [min, max]: commander prints `fix` with the option's name and exits 1. */
function wholeNumberIn(min: number, max: number, fix: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max)
      throw new InvalidArgumentError(fix);
    return number;
  };
}

/**
 * An option parser for a count of one or more (`--workers`), instead of a NaN or 0 that would start a
 * controller reconciling nothing.
 */
export const countOfOneOrMore = wholeNumberIn(1, Infinity, 'Give a whole number of 1 or more, e.g. 16.');

/** An option parser for a TCP port (`--port`), instead of a NaN that reaches listen(). */
export const portNumber = wholeNumberIn(1, 65535, 'Give a port from 1 to 65535, e.g. 8089.');
