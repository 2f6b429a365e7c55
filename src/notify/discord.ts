import {
  alertFacts,
  epochSeconds,
  headline,
  measurementLines,
  plainSummary,
  SEVERITY_COLORS,
  subject,
  truncate,
} from './format.ts';
import { JsonSink } from './http.ts';
import type { Alert, Notifier, ProviderConfig } from './notifier.ts';

/**
 * Discord webhooks accept Slack's legacy attachment format on `<webhook>/slack`; Flagger posts there,
 * so an address configured for Flagger works unchanged. The query string (`?thread_id=…`) is kept.
 */
export function discordAddress(address: string): string {
  const url = new URL(address);
  if (!/\/slack\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/slack`;
  return url.toString();
}

// Discord embed limits (attachments become embeds).
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_VALUE_MAX = 1024;

export interface DiscordMessageOptions {
  channel?: string;
  username?: string;
}

/** A Slack-compatible payload: one coloured attachment with the canary, message, facts and measurements. */
export function discordMessage(alert: Alert, options: DiscordMessageOptions = {}): Record<string, unknown> {
  const fields = alertFacts(alert).map((f) => ({ title: f.name, value: f.value, short: true }));
  const lines = measurementLines(alert);
  if (lines.length > 0) {
    fields.push({ title: 'Measurements', value: truncate(lines.join('\n'), FIELD_VALUE_MAX), short: false });
  }
  const text = [alert.message || headline(alert), ...(alert.reason ? [`Reason: ${alert.reason}`] : [])].join(
    '\n',
  );
  const ts = epochSeconds(alert.timestamp);
  return {
    ...(options.username ? { username: options.username } : {}),
    ...(options.channel ? { channel: options.channel } : {}),
    text: truncate(plainSummary(alert), 2000),
    attachments: [
      {
        color: SEVERITY_COLORS[alert.severity],
        author_name: subject(alert),
        title: truncate(headline(alert), TITLE_MAX),
        text: truncate(text, DESCRIPTION_MAX),
        mrkdwn_in: ['text'],
        fields,
        footer: 'Kanaria',
        ...(ts === undefined ? {} : { ts }),
      },
    ],
  };
}

export class DiscordNotifier implements Notifier {
  readonly #config: ProviderConfig;
  readonly #sink: JsonSink;

  constructor(config: ProviderConfig) {
    this.#config = config;
    this.#sink = new JsonSink(config, discordAddress(config.address));
  }

  post(alert: Alert, signal?: AbortSignal): Promise<void> {
    return this.#sink.post(alert, discordMessage(alert, this.#config), signal);
  }
}
