/**
 * POST /slack/interactivity on the gate server: reads the body (capped), answers with
 * answerInteraction, and sends the Slack user's answer to response_url in the background.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertProvider } from '../api/types.ts';
import { readCanary } from '../kube/canaries.ts';
import { describeError, orAbsent, type Kube } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { DecisionStore } from '../gate/approval.ts';
import { kubeDecisionStore } from '../gate/decision-store.ts';
import { answerInteraction, SLACK_INTERACTIVITY_PATH, type InteractivityContext } from './interactivity.ts';
import { DEFAULT_RESPONSE_ORIGINS, sendReply } from './respond.ts';
import { BodyTooLarge, readBody } from '../gate/body.ts';

/** Slack sends the whole alert message back in the payload, URL-encoded; a few alerts' worth. */
export const MAX_INTERACTIVITY_BODY_BYTES = 256 * 1024;

export interface SlackInteractivityOptions {
  /** The Slack app's signing secret (Basic Information → App Credentials). */
  signingSecret: string;
  /** Origins response_url may have; https://hooks.slack.com by default. */
  responseOrigins?: readonly string[];
}

export interface SlackRouteOptions extends SlackInteractivityOptions {
  kube: Kube;
  log: Logger;
  decisions?: DecisionStore;
  now?: () => number;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

export function interactivityContext(o: SlackRouteOptions): InteractivityContext {
  const { kube, log } = o;
  const origins = o.responseOrigins?.length ? o.responseOrigins : DEFAULT_RESPONSE_ORIGINS;
  return {
    signingSecret: o.signingSecret,
    now: o.now ?? Date.now,
    canaries: (namespace, name) => readCanary(kube, namespace, name),
    providers: (namespace, name) =>
      orAbsent(
        kube.custom.getNamespacedCustomObject({
          group: 'kanaria.dev',
          version: 'v1beta1',
          plural: 'alertproviders',
          namespace,
          name,
        }) as Promise<AlertProvider>,
      ),
    decisions: o.decisions ?? kubeDecisionStore(kube),
    reply: (url, reply) => {
      sendReply(url, reply, origins).catch((err: unknown) =>
        log.warn({ err: describeError(err) }, 'Slack answer not delivered'),
      );
    },
    onOutcome: (outcome) =>
      log.info(outcome, outcome.status === 200 ? 'Slack decision' : 'Slack request refused'),
    onEventError: (err) => log.warn({ err: describeError(err) }, 'Slack decision made; its Event failed'),
  };
}

/** Handles POST /slack/interactivity; returns false for any other path. */
export function createSlackRoute(o: SlackRouteOptions) {
  const ctx = interactivityContext(o);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== SLACK_INTERACTIVITY_PATH) return false;
    const handle = async () => {
      let body: string;
      try {
        body = await readBody(req, MAX_INTERACTIVITY_BODY_BYTES);
      } catch (err) {
        if (err instanceof BodyTooLarge) return send(res, 413, 'Payload Too Large');
        throw err;
      }
      const answer = await answerInteraction(
        {
          method: req.method ?? 'GET',
          timestamp: header(req, 'x-slack-request-timestamp'),
          signature: header(req, 'x-slack-signature'),
          body,
        },
        ctx,
      );
      send(res, answer.status, answer.body);
    };
    handle().catch((err: unknown) => {
      o.log.warn({ path, err: describeError(err) }, 'Slack interactivity request failed');
      send(res, 503, `Service Unavailable: ${describeError(err)}`);
    });
    return true;
  };
}
