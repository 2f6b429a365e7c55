/**
 * `kanaria migrate NAME`: moves a Canary between providers while it serves (src/router/migration.ts).
 *   --to gatewayapi:v1 --gateway NS/NAME[/SECTION] [--host H]   starts a move off the canary Ingress
 *   --to nginx [--ingress NAME]                                 starts a move back onto an Ingress
 *   --finish                                                    retires the old route now
 * Without flags it prints where the move stands. Starting a move edits the spec (with GitOps, make the same
 * change in the repository instead); finishing writes an annotation naming the destination.
 */
import type { Command } from 'commander';
import type { Canary, GatewayRef, MigrationStatus } from '../api/types.ts';
import { GATEWAY_API_PROVIDER } from '../api/types.ts';
import { patchCanary } from '../kube/canaries.ts';
import { CLI_FIELD_MANAGER } from '../kube/field-managers.ts';
import { FINISH_MIGRATION_ANNOTATION, migrationSource } from '../router/migration.ts';
import { CliError, connect, mustReadCanary, notFound, run, withKubeFlags, type KubeFlags } from './common.ts';
import type { RequestPlan } from './requests.ts';

export interface MigrateFlags {
  to?: string;
  gateway?: string[];
  host?: string[];
  ingress?: string;
  finish?: boolean;
}

const idOf = (c: Canary) => `${c.metadata.name}.${c.metadata.namespace}`;

/** `NS/NAME[/SECTION]` or `NAME` (the Canary's namespace). */
export function parseGatewayRef(text: string): GatewayRef {
  const parts = text.split('/');
  if (parts.length > 3 || parts.some((p) => p === ''))
    throw new CliError(`--gateway ${text}: expected NAME, NAMESPACE/NAME or NAMESPACE/NAME/LISTENER`);
  if (parts.length === 1) return { name: parts[0] };
  return { namespace: parts[0], name: parts[1], ...(parts[2] ? { sectionName: parts[2] } : {}) };
}

export function describeMigration(c: Canary): string {
  const m: MigrationStatus | undefined = c.status?.migration;
  const from = migrationSource(c.spec);
  if (!m && !from)
    return `${idOf(c)} is not moving between providers (provider ${c.spec.provider ?? 'nginx'})`;
  if (!m)
    return `${idOf(c)} is moving from ${from} to ${c.spec.provider}; the controller has not recorded it yet`;
  const state = m.finishedAt ? `finished ${m.finishedAt} (${m.finishedBy})` : 'in progress';
  return `${idOf(c)}: ${m.from} -> ${m.to}, started ${m.startedAt}, ${state}${m.message ? `: ${m.message}` : ''}`;
}

export function planMigrate(c: Canary, flags: MigrateFlags): RequestPlan {
  if (flags.finish && flags.to)
    throw new CliError('use --to to start a move and --finish to end it, not both');
  if (flags.finish) {
    const from = migrationSource(c.spec);
    if (!from || c.status?.migration?.finishedAt)
      throw new CliError(
        `${idOf(c)} has no move in progress to finish: start one with kanaria migrate ${c.metadata.name} --to <provider>`,
      );
    const to = c.spec.provider ?? 'nginx';
    return {
      patch: { metadata: { annotations: { [FINISH_MIGRATION_ANNOTATION]: to } } },
      message: `finishing the move of ${idOf(c)} to ${to}: the ${from} route is removed now`,
    };
  }
  if (!flags.to) return { message: describeMigration(c) };
  if (flags.to === GATEWAY_API_PROVIDER) {
    const gateways = (flags.gateway ?? []).map(parseGatewayRef);
    if (gateways.length === 0 && (c.spec.service.gatewayRefs ?? []).length === 0)
      throw new CliError(
        '--to gatewayapi:v1 needs --gateway NAMESPACE/NAME: the Gateway the HTTPRoute attaches to',
      );
    if (!c.spec.ingressRef)
      throw new CliError(`${idOf(c)} has no spec.ingressRef: there is no Ingress route to move off`);
    const service: Record<string, unknown> = {};
    if (gateways.length) service.gatewayRefs = gateways;
    if (flags.host?.length) service.hosts = flags.host;
    return {
      patch: {
        spec: { provider: GATEWAY_API_PROVIDER, ...(Object.keys(service).length ? { service } : {}) },
      },
      message: `${idOf(c)} moves to gatewayapi:v1: the HTTPRoute gets the canary Ingress's weights once its Gateway accepts it; move your DNS to the Gateway, then the Ingress route is removed once idle (or kanaria migrate ${c.metadata.name} --finish)`,
    };
  }
  if (flags.to === 'nginx') {
    const ingress = flags.ingress ?? c.spec.ingressRef?.name;
    if (!ingress)
      throw new CliError('--to nginx needs --ingress NAME: the Ingress whose canary Kanaria writes');
    if ((c.spec.service.gatewayRefs ?? []).length === 0)
      throw new CliError(`${idOf(c)} has no spec.service.gatewayRefs: there is no HTTPRoute to move off`);
    return {
      patch: {
        spec: {
          provider: 'nginx',
          ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ingress },
        },
      },
      message: `${idOf(c)} moves to nginx: the canary Ingress of ${ingress} gets the HTTPRoute's weights; the HTTPRoute is removed once idle (or kanaria migrate ${c.metadata.name} --finish)`,
    };
  }
  throw new CliError(`--to ${flags.to}: the providers are nginx and gatewayapi:v1`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMigrate(program: Command): void {
  withKubeFlags(
    program
      .command('migrate')
      .description('move a Canary between nginx and gatewayapi:v1 while it serves, or finish the move')
      .argument('<name>', 'Canary name')
      .option('--to <provider>', 'start moving to nginx or gatewayapi:v1')
      .option(
        '--gateway <ref>',
        'gatewayapi:v1: a Gateway for the HTTPRoute, NAMESPACE/NAME[/LISTENER] (repeatable)',
        collect,
      )
      .option('--host <name>', 'gatewayapi:v1: a hostname of the HTTPRoute (repeatable)', collect)
      .option('--ingress <name>', 'nginx: the Ingress to copy (default spec.ingressRef)')
      .option('--finish', 'remove the old route now instead of when it is idle'),
  ).action(
    run(async (canaryName: string, flags: KubeFlags & MigrateFlags) => {
      const { kube, namespace } = connect(flags);
      const canary = await mustReadCanary(kube, namespace, canaryName);
      const { patch, message } = planMigrate(canary, flags);
      if (patch && !(await patchCanary(kube, namespace, canaryName, patch, CLI_FIELD_MANAGER)))
        throw notFound(canaryName, namespace);
      process.stdout.write(`${message}\n`);
    }),
  );
}
