import { IncomingWebhook, type FetchFunction, type IncomingWebhookSendArguments } from '@slack/webhook';
import { toNotifyError } from './errors.ts';
import { alertFacts, formatValue, headline, measurementLines, plainSummary, truncate } from './format.ts';
import { boundedFetch, DEFAULT_TIMEOUT_MS, proxyAgents } from './http.ts';
import type { Alert, AlertSeverity, Notifier, ProviderConfig } from './notifier.ts';
import { approvalLines } from './approval.ts';
import { approvalActions } from './slack-actions.ts';

type SlackBlock = NonNullable<IncomingWebhookSendArguments['blocks']>[number];
type SlackText = { type: 'mrkdwn'; text: string };

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  info: ':large_green_circle:',
  warn: ':warning:',
  error: ':red_circle:',
};

// Block Kit limits.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const SECTION_MAX = 3000;
/** A message holds at most 50 blocks; the measurement list below keeps the rest. */
const MAX_MEASUREMENT_SECTIONS = 8;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mrkdwn(text: string, max: number): SlackText {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

function field(name: string, value: string): SlackText {
  return mrkdwn(`*${name}*\n${escapeMrkdwn(value)}`, FIELD_MAX);
}

export interface SlackMessageOptions {
  channel?: string;
  username?: string;
  /** Add Approve and Roll back buttons to an alert that carries `approval`. */
  approvalButtons?: boolean;
}

/**
 * The Block Kit message for one alert: a header naming the canary, fields for canary, namespace,
 * cluster, phase, weight and severity, the message with its reason, the measured values behind
 * it, and a context line with kind and time. `text` is the notification fallback.
 */
export function slackMessage(alert: Alert, options: SlackMessageOptions = {}): IncomingWebhookSendArguments {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${SEVERITY_EMOJI[alert.severity] ?? ''} ${headline(alert)}`.trim(), HEADER_MAX),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: [
        field('Canary', alert.canary),
        field('Namespace', alert.namespace),
        ...alertFacts(alert).map((f) => field(f.name, f.value)),
      ],
    },
  ];
  const body = [escapeMrkdwn(alert.message || headline(alert))];
  if (alert.reason) body.push(`*Reason:* ${escapeMrkdwn(alert.reason)}`);
  blocks.push({ type: 'section', text: mrkdwn(body.join('\n'), SECTION_MAX) });
  // Each judged check gets its own fields: metric, verdict, value, and what it was held against.
  const judged = (alert.measurements ?? []).filter((m) => m.verdict).slice(0, MAX_MEASUREMENT_SECTIONS);
  for (const m of judged) {
    blocks.push({
      type: 'section',
      fields: [
        field('Metric', m.name),
        field('Verdict', m.verdict!),
        ...(m.value !== undefined ? [field('Value', formatValue(m.value))] : []),
        ...(m.threshold ? [field('Against', m.threshold)] : []),
      ],
    });
  }
  const lines = measurementLines(alert);
  if (lines.length > 0) {
    const list = lines.map((l) => `• ${escapeMrkdwn(l)}`).join('\n');
    blocks.push({ type: 'section', text: mrkdwn(`*Measurements*\n${list}`, SECTION_MAX) });
  }
  const actions = options.approvalButtons ? approvalActions(alert) : undefined;
  if (actions) blocks.push(actions as SlackBlock);
  else if (alert.approval) {
    const how = approvalLines(alert.approval).map((l) => escapeMrkdwn(l));
    blocks.push({ type: 'section', text: mrkdwn(how.join('\n'), SECTION_MAX) });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Kanaria · ${alert.kind} · ${escapeMrkdwn(alert.timestamp)}`, SECTION_MAX)],
  });
  return {
    text: plainSummary(alert),
    blocks,
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.username ? { username: options.username } : {}),
  };
}

function withSignal(base: FetchFunction, signal: AbortSignal | undefined): FetchFunction {
  if (!signal) return base;
  return (url, init) =>
    base(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

/**
 * Posts to a Slack incoming webhook through `@slack/webhook`, one attempt per alert, its transport
 * the bounded outbound client (timeout, body cap, no redirects).
 */
export class SlackNotifier implements Notifier {
  readonly #config: ProviderConfig;
  readonly #fetch: FetchFunction;

  constructor(config: ProviderConfig) {
    this.#config = config;
    this.#fetch = boundedFetch({
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBodyBytes: config.maxBodyBytes,
      agents: config.proxy ? proxyAgents(config.proxy) : undefined,
    });
  }

  async post(alert: Alert, signal?: AbortSignal): Promise<void> {
    const config = this.#config;
    // A client per post: the library takes its transport (and so the caller's signal) at construction.
    const webhook = new IncomingWebhook(config.address, {
      timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      fetch: withSignal(this.#fetch, signal),
    });
    try {
      await webhook.send(slackMessage(alert, config));
    } catch (err) {
      throw toNotifyError(err, { ...config, alert });
    }
  }
}
