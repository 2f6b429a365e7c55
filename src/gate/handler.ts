/**
 * The gate API and the release reports (/report/{namespace}/{name}) as a node:http handler that the
 * operator's HTTP server (or `kanaria gate`) mounts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kube } from '../kube/client.ts';
import { describeError } from '../kube/client.ts';
import { readCanary } from '../kube/canaries.ts';
import type { Logger } from '../observability/logger.ts';
import type { GateAuth } from './auth.ts';
import { answerReport, isReportPath, type CanaryReader, type ReportContext } from './report-route.ts';
import { answerGate, isGatePath, type GateChange, type GateContext, type GateResponse } from './routes.ts';
import { kubeGateStore, type GateStore } from './store.ts';
import type { DecisionStore } from './approval.ts';
import { kubeDecisionStore } from './decision-store.ts';
import { answerRelease, isReleasePath, type ReleaseRouteContext } from './release-routes.ts';
import { BodyTooLarge, readBody } from './body.ts';

/** Webhook payloads are small; anything bigger is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface GateHandlerOptions {
  kube: Kube;
  /** Who may open and close gates (/gate/open|close, /rollback/open|close). */
  auth: GateAuth;
  log: Logger;
  /** Where gate state lives; annotations on the Canary objects of `kube` by default. */
  store?: GateStore;
  /** Where /report/… reads Canaries; a GET from the API server of `kube` by default. */
  canaries?: CanaryReader;
  /** Where /release/approve|rollback record decisions; annotations on the Canaries of `kube` by default. */
  decisions?: DecisionStore;
}

/** Handles a request when its path is a gate or report path, answering asynchronously; returns false otherwise. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

function send(res: ServerResponse, answer: GateResponse): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
  res.end(answer.body);
}

const who = (c: GateChange) => ({
  canary: `${c.name}.${c.namespace}`,
  gate: c.gate,
  state: c.state,
  revision: c.revision,
  user: c.user,
});

/** The gate API's context with logs of every change and refusal (user names, never tokens). */
function loggedContext(options: GateHandlerOptions): GateContext {
  const { log, auth } = options;
  return {
    store: options.store ?? kubeGateStore(options.kube),
    auth,
    onChange: (c) => log.info(who(c), 'gate changed'),
    onDenied: (d) => log.info({ ...d, canary: d.name && `${d.name}.${d.namespace}` }, 'gate change refused'),
    onEventError: (err, c) =>
      log.warn({ ...who(c), err: describeError(err) }, 'gate changed; its Event failed'),
  };
}

/** The report route's context: the gate's auth, refusals logged like the gate's. */
function reportContext(options: GateHandlerOptions): ReportContext {
  const { kube, log, auth } = options;
  return {
    auth,
    canaries: options.canaries ?? ((namespace, name) => readCanary(kube, namespace, name)),
    onDenied: (d) => log.info({ ...d, canary: `${d.name}.${d.namespace}` }, 'report refused'),
  };
}

function serveReport(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: ReportContext,
  log: Logger,
): void {
  const request = { method: req.method ?? 'GET', path, authorization: req.headers.authorization, body: '' };
  answerReport(request, ctx)
    .then((answer) => {
      log.debug({ path, status: answer.status }, 'report request');
      send(res, answer);
    })
    .catch((err: unknown) => {
      log.warn({ path, err: describeError(err) }, 'report request failed');
      send(res, { status: 503, body: `cannot read the canary now: ${describeError(err)}` });
    });
}

export function createGateHandler(options: GateHandlerOptions): RouteHandler {
  const { log } = options;
  const ctx = loggedContext(options);
  const reports = reportContext(options);
  const releases: ReleaseRouteContext = {
    auth: options.auth,
    decisions: options.decisions ?? kubeDecisionStore(options.kube),
    onDenied: (status, reason) => log.info({ path: 'release', status, reason }, 'release decision refused'),
    onEventError: (err) => log.warn({ err: describeError(err) }, 'release decided; its Event failed'),
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (isReportPath(path)) {
      serveReport(req, res, path, reports, log);
      return true;
    }
    const release = isReleasePath(path);
    if (!release && !isGatePath(path)) return false;
    const handle = async () => {
      let body: string;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (err) {
        if (err instanceof BodyTooLarge) return send(res, { status: 413, body: 'Payload Too Large' });
        throw err;
      }
      const request = { method: req.method ?? 'GET', path, authorization: req.headers.authorization, body };
      const answer = release ? await answerRelease(request, releases) : await answerGate(request, ctx);
      log.debug({ path, status: answer.status }, 'gate request');
      send(res, answer);
    };
    handle().catch((err: unknown) => {
      log.warn({ path, err: describeError(err) }, 'gate request failed');
      send(res, { status: 500, body: `gate state unavailable: ${describeError(err)}` });
    });
    return true;
  };
}
