/**
 * Alert sinks behind one interface. The caller resolves AlertProviders and their Secrets and
 * passes plain values; nothing here talks to Kubernetes or reads the clock. Deliver through
 * `AlertDispatcher` (dispatch.ts) so a slow sink never blocks a reconcile.
 */
import { DiscordNotifier } from './discord.ts';
import { NotifyError } from './errors.ts';
import { GoogleChatNotifier } from './googlechat.ts';
import { MSTeamsNotifier } from './msteams.ts';
import { SlackNotifier } from './slack.ts';
import { WebhookNotifier } from './webhook.ts';
import type { ApprovalHints } from './approval.ts';

export { NotifyError, redact, type NotifyErrorCode } from './errors.ts';
export { DEFAULT_TIMEOUT_MS } from './http.ts';

export type AlertSeverity = 'info' | 'warn' | 'error';

export type AlertKind =
  'initialized' | 'new-revision' | 'waiting-approval' | 'promoted' | 'rolled-back' | 'failed' | 'progress';

/** One measured value behind a decision, e.g. a metric check that failed. */
export interface AlertMeasurement {
  name: string;
  value?: number;
  message: string;
  /** What the value was held against: "max 500 ms", or the control's value "control 100 ms". */
  threshold?: string;
  /** Pass, High, Low, NoData, Inconclusive, Error. */
  verdict?: string;
}

/** What a sink receives. Plain data: the caller fills `timestamp` from its own clock. */
export interface Alert {
  canary: string;
  namespace: string;
  cluster?: string;
  phase: string;
  weight: number;
  severity: AlertSeverity;
  kind: AlertKind;
  message: string;
  reason?: string;
  measurements?: AlertMeasurement[];
  /** RFC 3339 time of the event. */
  timestamp: string;
  /** Set on waiting-approval alerts: how to approve or roll back exactly this revision. */
  approval?: ApprovalHints;
}

/** Delivers one alert to one destination. Rejects with a {@link NotifyError} on failure. */
export interface Notifier {
  post(alert: Alert, signal?: AbortSignal): Promise<void>;
}

export type ProviderType = 'slack' | 'msteams' | 'discord' | 'googlechat' | 'webhook';

export const PROVIDER_TYPES: readonly ProviderType[] = [
  'slack',
  'msteams',
  'discord',
  'googlechat',
  'webhook',
];

/**
 * A resolved alert provider: the caller has already read the AlertProvider and its Secret, so
 * `address` (and `proxy`) are plain values here. Both are treated as secrets: they never appear in
 * error messages.
 */
export interface ProviderConfig {
  type: ProviderType;
  /** Incoming webhook URL. */
  address: string;
  /** Overrides the webhook's default channel where the service honours it (slack, discord). */
  channel?: string;
  /** Overrides the webhook's default user name where the service honours it (slack, discord). */
  username?: string;
  /** HTTP(S) proxy URL, e.g. `http://proxy.internal:3128`; needs Node ≥ 24.5. */
  proxy?: string;
  /** Per-request timeout (the whole exchange); defaults to {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Largest answer body read; 1 MiB when unset. A larger answer fails the delivery. */
  maxBodyBytes?: number;
  /** Name used in error messages, e.g. `namespace/name` of the AlertProvider. Defaults to the type. */
  name?: string;
  /** slack: add Approve and Roll back buttons to alerts that carry `approval` (someone may press them). */
  approvalButtons?: boolean;
}

/** Sends nothing; stands in where no provider is configured. */
export class NullNotifier implements Notifier {
  post(_alert: Alert, _signal?: AbortSignal): Promise<void> {
    return Promise.resolve();
  }
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** Checks a provider config; throws a NotifyError (code ERR_INVALID_CONFIG) that never echoes the address. */
export function validateProviderConfig(config: ProviderConfig): void {
  const label = `${config.type} provider${config.name ? ` ${config.name}` : ''}`;
  const invalid = (what: string) => new NotifyError('ERR_INVALID_CONFIG', `${label}: ${what}`);
  if (!PROVIDER_TYPES.includes(config.type)) {
    throw new NotifyError('ERR_INVALID_CONFIG', `unknown alert provider type ${JSON.stringify(config.type)}`);
  }
  if (!config.address) throw invalid('address is empty');
  if (!isHttpUrl(config.address)) throw invalid('address is not an http(s) URL');
  if (config.proxy && !isHttpUrl(config.proxy)) throw invalid('proxy is not an http(s) URL');
  if (config.timeoutMs !== undefined && !(config.timeoutMs > 0)) throw invalid('timeoutMs must be positive');
}

/** Builds the notifier for one provider. Throws a NotifyError when the config is unusable. */
export function createNotifier(config: ProviderConfig): Notifier {
  validateProviderConfig(config);
  switch (config.type) {
    case 'slack':
      return new SlackNotifier(config);
    case 'msteams':
      return new MSTeamsNotifier(config);
    case 'discord':
      return new DiscordNotifier(config);
    case 'googlechat':
      return new GoogleChatNotifier(config);
    case 'webhook':
      return new WebhookNotifier(config);
  }
}
