import { alertFacts, headline, measurementLines, SEVERITY_COLORS, subject, truncate } from './format.ts';
import { JsonSink } from './http.ts';
import type { Alert, Notifier, ProviderConfig } from './notifier.ts';

/** Google Chat card text understands a small HTML subset; alert text must not be read as markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A Google Chat message with a `cardsV2` card: header with the canary, the message (coloured by
 * severity), one decorated text per fact and a measurements section. `text` is the notification
 * preview.
 */
export function googleChatMessage(alert: Alert): Record<string, unknown> {
  const message = escapeHtml(alert.message || headline(alert));
  const widgets: Record<string, unknown>[] = [
    { textParagraph: { text: `<font color="${SEVERITY_COLORS[alert.severity]}"><b>${message}</b></font>` } },
  ];
  for (const f of alertFacts(alert, { reason: true })) {
    widgets.push({ decoratedText: { topLabel: f.name, text: escapeHtml(f.value), wrapText: true } });
  }
  const sections: Record<string, unknown>[] = [{ widgets }];
  const lines = measurementLines(alert);
  if (lines.length > 0) {
    sections.push({
      header: 'Measurements',
      widgets: [{ textParagraph: { text: truncate(lines.map(escapeHtml).join('<br>'), 4000) } }],
    });
  }
  return {
    text: headline(alert),
    cardsV2: [
      {
        cardId: `kanaria-${alert.kind}`,
        card: {
          header: { title: subject(alert), subtitle: `${headline(alert)} · ${alert.timestamp}` },
          sections,
        },
      },
    ],
  };
}

export class GoogleChatNotifier implements Notifier {
  readonly #sink: JsonSink;

  constructor(config: ProviderConfig) {
    this.#sink = new JsonSink(config);
  }

  post(alert: Alert, signal?: AbortSignal): Promise<void> {
    return this.#sink.post(alert, googleChatMessage(alert), signal);
  }
}
