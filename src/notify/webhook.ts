import { JsonSink } from './http.ts';
import type { Alert, Notifier, ProviderConfig } from './notifier.ts';

/** The generic webhook body is the alert itself, as JSON. */
export function webhookBody(alert: Alert): Alert {
  return alert;
}

/** POSTs the alert as JSON to any HTTP endpoint. */
export class WebhookNotifier implements Notifier {
  readonly #sink: JsonSink;

  constructor(config: ProviderConfig) {
    this.#sink = new JsonSink(config);
  }

  post(alert: Alert, signal?: AbortSignal): Promise<void> {
    return this.#sink.post(alert, webhookBody(alert), signal);
  }
}
