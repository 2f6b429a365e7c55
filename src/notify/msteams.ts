import {
  alertFacts,
  headline,
  measurementLines,
  measurementText,
  SEVERITY_COLORS,
  subject,
} from './format.ts';
import { approvalLines } from './approval.ts';
import { JsonSink } from './http.ts';
import type { Alert, Notifier, ProviderConfig } from './notifier.ts';

/**
 * Teams has two kinds of incoming webhook: the retired Office 365 connectors
 * (`*.webhook.office.com`), which take a MessageCard (what Flagger sends), and Workflows
 * (Power Automate) webhooks, which take a message with an Adaptive Card attachment.
 */
export type TeamsSchema = 'message-card' | 'adaptive-card';

export function teamsSchemaFor(address: string): TeamsSchema {
  if (!URL.canParse(address)) return 'adaptive-card';
  const host = new URL(address).hostname.toLowerCase();
  return host.endsWith('.webhook.office.com') || host === 'outlook.office.com'
    ? 'message-card'
    : 'adaptive-card';
}

function measurementFacts(alert: Alert): { name: string; value: string }[] {
  return (alert.measurements ?? []).slice(0, 20).map((m) => ({ name: m.name, value: measurementText(m) }));
}

/** Legacy connector card, the same shape Flagger posts. */
export function teamsMessageCard(alert: Alert): Record<string, unknown> {
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    themeColor: SEVERITY_COLORS[alert.severity].slice(1),
    summary: headline(alert),
    sections: [
      {
        activityTitle: alert.message || headline(alert),
        activitySubtitle: headline(alert),
        facts: [...alertFacts(alert, { reason: true }), ...measurementFacts(alert)],
        ...(alert.approval ? { text: approvalLines(alert.approval).join('\n\n') } : {}),
      },
    ],
  };
}

const TEXT_COLORS = { info: 'default', warn: 'warning', error: 'attention' } as const;

/** Adaptive Card (schema 1.4, the highest Teams renders) wrapped in a message for Workflows webhooks. */
export function teamsAdaptiveCard(alert: Alert): Record<string, unknown> {
  const fact = (f: { name: string; value: string }) => ({ title: f.name, value: f.value });
  const items: Record<string, unknown>[] = [
    { type: 'TextBlock', text: headline(alert), size: 'large', weight: 'bolder', wrap: true },
    {
      type: 'TextBlock',
      text: alert.message || headline(alert),
      color: TEXT_COLORS[alert.severity] ?? 'default',
      wrap: true,
    },
    { type: 'FactSet', facts: [{ name: 'Canary', value: subject(alert) }, ...alertFacts(alert)].map(fact) },
  ];
  if (alert.reason) items.push({ type: 'TextBlock', text: `**Reason:** ${alert.reason}`, wrap: true });
  const lines = measurementLines(alert);
  if (lines.length > 0) {
    items.push(
      { type: 'TextBlock', text: 'Measurements', weight: 'bolder', wrap: true },
      { type: 'TextBlock', text: lines.map((l) => `- ${l}`).join('\n'), wrap: true },
    );
  }
  if (alert.approval)
    items.push({ type: 'TextBlock', text: approvalLines(alert.approval).join('\n\n'), wrap: true });
  items.push({ type: 'TextBlock', text: alert.timestamp, isSubtle: true, size: 'small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: [{ type: 'Container', items }],
        },
      },
    ],
  };
}

export function teamsPayload(alert: Alert, address: string): Record<string, unknown> {
  return teamsSchemaFor(address) === 'message-card' ? teamsMessageCard(alert) : teamsAdaptiveCard(alert);
}

export class MSTeamsNotifier implements Notifier {
  readonly #address: string;
  readonly #sink: JsonSink;

  constructor(config: ProviderConfig) {
    this.#address = config.address;
    this.#sink = new JsonSink(config);
  }

  post(alert: Alert, signal?: AbortSignal): Promise<void> {
    return this.#sink.post(alert, teamsPayload(alert, this.#address), signal);
  }
}
