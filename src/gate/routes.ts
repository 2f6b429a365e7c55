/**
 * The manual gating API of Flagger's load tester (`/gate/*`, `/rollback/*`), answered from gate
 * state kept in a GateStore. The request body is the webhook payload Flagger and Kanaria send:
 * `{ name, namespace, phase, checksum, metadata }`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION } from '../resources/meta.ts';
import type { GateStore } from './store.ts';

export const OPEN = 'open';
export const CLOSED = 'closed';

type Route =
  | { kind: 'fixed'; status: number; body: string }
  | { kind: 'check'; annotation: string }
  | { kind: 'set'; annotation: string; value: typeof OPEN | typeof CLOSED };

const ROUTES: Record<string, Route> = {
  '/gate/approve': { kind: 'fixed', status: 200, body: 'Approved' },
  '/gate/halt': { kind: 'fixed', status: 403, body: 'Forbidden' },
  '/gate/check': { kind: 'check', annotation: GATE_ANNOTATION },
  '/gate/open': { kind: 'set', annotation: GATE_ANNOTATION, value: OPEN },
  '/gate/close': { kind: 'set', annotation: GATE_ANNOTATION, value: CLOSED },
  '/rollback/check': { kind: 'check', annotation: ROLLBACK_GATE_ANNOTATION },
  '/rollback/open': { kind: 'set', annotation: ROLLBACK_GATE_ANNOTATION, value: OPEN },
  '/rollback/close': { kind: 'set', annotation: ROLLBACK_GATE_ANNOTATION, value: CLOSED },
};

export const GATE_PATHS = Object.keys(ROUTES);

export interface GateRequest {
  method: string;
  /** The request path without the query string. */
  path: string;
  /** The Authorization header, when sent. */
  authorization?: string;
  body: string;
}

export interface GateResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface GateContext {
  store: GateStore;
  /** When set, opening and closing a gate need `Authorization: Bearer <token>`. */
  token?: string;
  /** Called after a gate changed, for logs. */
  onChange?: (change: { namespace: string; name: string; annotation: string; value: string }) => void;
}

export function isGatePath(path: string): boolean {
  return Object.hasOwn(ROUTES, path);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of the bearer token with the configured one. */
export function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m !== null && timingSafeEqual(digest(m[1].trim()), digest(token));
}

function payloadOf(body: string): { name: string; namespace: string } | undefined {
  try {
    const p = JSON.parse(body) as unknown;
    if (typeof p !== 'object' || p === null) return undefined;
    const { name, namespace } = p as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '')
      return undefined;
    return { name, namespace };
  } catch {
    return undefined;
  }
}

const text = (status: number, body: string, headers?: Record<string, string>): GateResponse => ({
  status,
  body,
  headers,
});

/** Answers one request to a gate path (see isGatePath). Store errors propagate to the caller. */
export async function answerGate(req: GateRequest, ctx: GateContext): Promise<GateResponse> {
  const route = ROUTES[req.path];
  if (!route) return text(404, `no gate route ${req.path}`);
  if (route.kind === 'fixed') return text(route.status, route.body);
  if (req.method !== 'POST') return text(405, 'Method Not Allowed: use POST', { allow: 'POST' });
  if (route.kind === 'set' && ctx.token !== undefined && !authorized(req.authorization, ctx.token))
    return text(401, 'Unauthorized: send Authorization: Bearer <token>', {
      'www-authenticate': 'Bearer realm="kanaria-gate"',
    });
  const payload = payloadOf(req.body);
  if (!payload)
    return text(
      400,
      'Bad Request: the body must be a webhook payload such as {"name":"podinfo","namespace":"test"}',
    );
  const { namespace, name } = payload;
  const notFound = () => text(404, `canary ${name} not found in namespace ${namespace}`);

  if (route.kind === 'check') {
    const annotations = await ctx.store.annotations(namespace, name);
    if (!annotations) return notFound();
    return annotations[route.annotation] === OPEN ? text(200, 'Approved') : text(403, 'Forbidden');
  }
  if (!(await ctx.store.annotate(namespace, name, route.annotation, route.value))) return notFound();
  ctx.onChange?.({ namespace, name, annotation: route.annotation, value: route.value });
  const what = route.annotation === GATE_ANNOTATION ? 'gate' : 'rollback gate';
  return text(202, `${what} ${route.value === OPEN ? 'opened' : 'closed'} for ${name}.${namespace}`);
}
