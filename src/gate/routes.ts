/**
 * The manual gating API of Flagger's load tester (`/gate/*`, `/rollback/*`), answered from gate state
 * kept in a GateStore. The request body is the webhook payload Flagger and Kanaria send:
 * `{ name, namespace, phase, checksum, revision, metadata }`; a person opening a gate sends
 * `{ name, namespace }` and may add `revision` to approve only the revision they reviewed.
 *
 * Checks (`/gate/check`, `/rollback/check`) are reads for Kanaria's own webhooks and need no token.
 * Changes (`…/open`, `…/close`) need `Authorization: Bearer <token>`: 401 without a valid token, 403 when
 * its user may not update that Canary, 200 once done. A gate opens for the Canary's status.revision of
 * the moment, and checks answer open only for that revision: the revision the payload names (Kanaria's
 * webhooks name the revision they decide about, which for a new release is not recorded yet), else
 * the recorded status.revision (callers that send Flagger's payload).
 */
import { GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION } from '../resources/meta.ts';
import { bearerToken, GATE_ACCESS, type GateAuth, type GateIdentity } from './auth.ts';
import { formatGateRecord, isOpenFor, type GateState } from './record.ts';
import type { GateEvent, GateStore } from './store.ts';

export type GateKind = 'confirm' | 'rollback';

export const GATE_ANNOTATIONS: Record<GateKind, string> = {
  confirm: GATE_ANNOTATION,
  rollback: ROLLBACK_GATE_ANNOTATION,
};

type Route =
  | { kind: 'fixed'; status: number; body: string }
  | { kind: 'check'; gate: GateKind }
  | { kind: 'set'; gate: GateKind; state: GateState };

const ROUTES: Record<string, Route> = {
  '/gate/approve': { kind: 'fixed', status: 200, body: 'Approved' },
  '/gate/halt': { kind: 'fixed', status: 403, body: 'Forbidden' },
  '/gate/check': { kind: 'check', gate: 'confirm' },
  '/gate/open': { kind: 'set', gate: 'confirm', state: 'open' },
  '/gate/close': { kind: 'set', gate: 'confirm', state: 'closed' },
  '/rollback/check': { kind: 'check', gate: 'rollback' },
  '/rollback/open': { kind: 'set', gate: 'rollback', state: 'open' },
  '/rollback/close': { kind: 'set', gate: 'rollback', state: 'closed' },
};

export const GATE_PATHS = Object.keys(ROUTES);

/** The Event each change records on the Canary. */
export const GATE_EVENTS: Record<GateKind, Record<GateState, { reason: string; action: string }>> = {
  confirm: {
    open: { reason: 'GateOpened', action: 'Approve' },
    closed: { reason: 'GateClosed', action: 'Close' },
  },
  rollback: {
    open: { reason: 'RollbackRequested', action: 'RequestRollback' },
    closed: { reason: 'RollbackGateClosed', action: 'Close' },
  },
};

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

/** A change made through the API, for logs. */
export interface GateChange {
  namespace: string;
  name: string;
  gate: GateKind;
  state: GateState;
  revision?: string;
  user: string;
}

/** A refused change, for logs (never with the token). */
export interface GateDenial {
  path: string;
  status: number;
  reason: string;
  user?: string;
  namespace?: string;
  name?: string;
}

export interface GateContext {
  store: GateStore;
  auth: GateAuth;
  /** The time recorded with a change; the wall clock by default. */
  now?: () => Date;
  onChange?: (change: GateChange) => void;
  onDenied?: (denial: GateDenial) => void;
  /** A change was made but its Event could not be written. */
  onEventError?: (err: unknown, change: GateChange) => void;
}

export function isGatePath(path: string): boolean {
  return Object.hasOwn(ROUTES, path);
}

interface Payload {
  name: string;
  namespace: string;
  revision?: string;
}

function payloadOf(body: string): Payload | undefined {
  try {
    const p = JSON.parse(body) as unknown;
    if (typeof p !== 'object' || p === null) return undefined;
    const { name, namespace, revision } = p as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '')
      return undefined;
    if (revision !== undefined && typeof revision !== 'string') return undefined;
    return { name, namespace, ...(revision ? { revision } : {}) };
  } catch {
    return undefined;
  }
}

export const text = (status: number, body: string, headers?: Record<string, string>): GateResponse => ({
  status,
  body,
  headers,
});

export const unauthorized = (why: string) =>
  text(401, `Unauthorized: ${why}; send Authorization: Bearer <token>`, {
    'www-authenticate': 'Bearer realm="kanaria-gate"',
  });

export const unavailable = (what: string, err: unknown) =>
  text(503, `Service Unavailable: cannot ${what} now: ${err instanceof Error ? err.message : String(err)}`);

const BAD_PAYLOAD =
  'Bad Request: the body must be a webhook payload such as {"name":"podinfo","namespace":"test"}';

const GATE_NAME: Record<GateKind, string> = { confirm: 'gate', rollback: 'rollback gate' };

/** Answers one request to a gate path (see isGatePath). Store errors propagate to the caller. */
export async function answerGate(req: GateRequest, ctx: GateContext): Promise<GateResponse> {
  const route = ROUTES[req.path];
  if (!route) return text(404, `no gate route ${req.path}`);
  if (route.kind === 'fixed') return text(route.status, route.body);
  if (req.method !== 'POST') return text(405, 'Method Not Allowed: use POST', { allow: 'POST' });
  if (route.kind === 'check') return check(req, route.gate, ctx);
  return change(req, route.gate, route.state, ctx);
}

async function check(req: GateRequest, gate: GateKind, ctx: GateContext): Promise<GateResponse> {
  const payload = payloadOf(req.body);
  if (!payload) return text(400, BAD_PAYLOAD);
  const { namespace, name } = payload;
  const canary = await ctx.store.read(namespace, name);
  if (!canary) return text(404, `canary ${name} not found in namespace ${namespace}`);
  return isOpenFor(canary.annotations[GATE_ANNOTATIONS[gate]], payload.revision ?? canary.revision)
    ? text(200, 'Approved')
    : text(403, 'Forbidden');
}

async function change(
  req: GateRequest,
  gate: GateKind,
  state: GateState,
  ctx: GateContext,
): Promise<GateResponse> {
  const deny = (status: number, reason: string, extra: Partial<GateDenial> = {}) => {
    ctx.onDenied?.({ path: req.path, status, reason, ...extra });
  };
  const identity = await identify(req, ctx.auth, deny);
  if ('status' in identity) return identity;
  const user = identity.username;

  const payload = payloadOf(req.body);
  if (!payload) return text(400, BAD_PAYLOAD);
  const { namespace, name } = payload;
  let allowed: boolean;
  try {
    allowed = await ctx.auth.authorize(identity, { namespace, name });
  } catch (err) {
    return unavailable('check access', err);
  }
  if (!allowed) {
    deny(403, `may not ${GATE_ACCESS.verb} the canary`, { user, namespace, name });
    return text(
      403,
      `Forbidden: user ${user} may not ${GATE_ACCESS.verb} ${GATE_ACCESS.resource}.${GATE_ACCESS.group} ${name} in namespace ${namespace}`,
    );
  }

  const notFound = () => text(404, `canary ${name} not found in namespace ${namespace}`);
  const current = await ctx.store.read(namespace, name);
  if (!current) return notFound();
  const revision = current.revision;
  if (state === 'open' && !revision)
    return text(
      409,
      `Conflict: canary ${name} in namespace ${namespace} has no release recorded yet (no status.revision); open the ${GATE_NAME[gate]} once a release waits for it`,
    );
  if (payload.revision && payload.revision !== revision)
    return text(
      409,
      `Conflict: the current revision of ${name}.${namespace} is ${revision ?? 'none'}, not ${payload.revision}`,
    );

  const at = (ctx.now ?? (() => new Date()))().toISOString();
  const value = formatGateRecord({ state, revision, by: user, at });
  const changed = await ctx.store.annotate(namespace, name, GATE_ANNOTATIONS[gate], value);
  if (!changed) return notFound();

  const record: GateChange = { namespace, name, gate, state, revision, user };
  const event: GateEvent = { ...GATE_EVENTS[gate][state], note: eventNote(record) };
  try {
    await ctx.store.event(namespace, name, changed.uid, event);
  } catch (err) {
    // The annotation is the record; the Event only makes it visible in `kubectl describe`.
    ctx.onEventError?.(err, record);
  }
  ctx.onChange?.(record);
  const done = state === 'open' ? 'opened' : 'closed';
  return text(
    200,
    `${GATE_NAME[gate]} ${done} for ${revision ? `revision ${revision} of ` : ''}${name}.${namespace} by ${user}`,
  );
}

/** The Event's note: who did what, for which revision. */
export function eventNote(c: GateChange): string {
  const rev = c.revision ? `revision ${c.revision}` : 'no recorded revision';
  if (c.gate === 'confirm')
    return c.state === 'open'
      ? `Gate opened by ${c.user} for ${rev} of ${c.name}.${c.namespace}: its confirm-* webhooks on /gate/check pass for this revision only`
      : `Gate closed by ${c.user} (${rev} of ${c.name}.${c.namespace})`;
  return c.state === 'open'
    ? `Rollback requested by ${c.user} for ${rev} of ${c.name}.${c.namespace}: its rollback webhooks on /rollback/check pass for this revision only`
    : `Rollback gate closed by ${c.user} (${rev} of ${c.name}.${c.namespace})`;
}

/**
 * Who sends the request: its bearer token's user, or the answer to send instead (401 without a token or
 * with one not accepted, 503 when the token cannot be verified). Denials are reported through `deny`.
 */
export async function identify(
  req: GateRequest,
  auth: GateAuth,
  deny: (status: number, reason: string) => void,
): Promise<GateIdentity | GateResponse> {
  const token = bearerToken(req.authorization);
  if (!token && auth.mode !== 'none') {
    deny(401, 'no bearer token');
    return unauthorized('no bearer token');
  }
  let identity: GateIdentity | undefined;
  try {
    identity = await auth.authenticate(token);
  } catch (err) {
    return unavailable('verify the token', err);
  }
  if (!identity) {
    deny(401, 'token not accepted');
    return unauthorized('the token was not accepted');
  }
  return identity;
}
