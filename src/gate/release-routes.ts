/**
 * POST /release/approve and /release/rollback: the gate API's way to take the decision a Slack button
 * takes, for people whose alerts arrive elsewhere (Teams, generic webhooks). Secured like /gate/open:
 * `Authorization: Bearer <token>` (401 without a valid one), and its user must be allowed to update the
 * Canary in its namespace (403). The body names the revision, `{"namespace","name","revision"}`, and the
 * decision applies to that revision only (409 when it is no longer the current one).
 */
import { RELEASE_APPROVE_PATH, RELEASE_ROLLBACK_PATH } from '../notify/approval.ts';
import { decide, type DecisionStore, type ReleaseDecision } from './approval.ts';
import { GATE_ACCESS, type GateAuth } from './auth.ts';
import { identify, text, unavailable, type GateRequest, type GateResponse } from './routes.ts';

const DECISIONS: Record<string, ReleaseDecision> = {
  [RELEASE_APPROVE_PATH]: 'approve',
  [RELEASE_ROLLBACK_PATH]: 'rollback',
};

export function isReleasePath(path: string): boolean {
  return Object.hasOwn(DECISIONS, path);
}

export interface ReleaseRouteContext {
  auth: GateAuth;
  decisions: DecisionStore;
  now?: () => Date;
  onDenied?: (status: number, reason: string) => void;
  onEventError?: (err: unknown) => void;
}

const BAD_BODY =
  'Bad Request: the body must name the release, e.g. {"namespace":"test","name":"podinfo","revision":"5d8f…"} (the revision from the alert or status.revision)';

function releaseOf(body: string): { namespace: string; name: string; revision: string } | undefined {
  try {
    const p = JSON.parse(body) as Record<string, unknown>;
    const ok = (v: unknown): v is string => typeof v === 'string' && v !== '';
    return p && ok(p.namespace) && ok(p.name) && ok(p.revision)
      ? { namespace: p.namespace, name: p.name, revision: p.revision }
      : undefined;
  } catch {
    return undefined;
  }
}

export async function answerRelease(req: GateRequest, ctx: ReleaseRouteContext): Promise<GateResponse> {
  const decision = DECISIONS[req.path];
  if (!decision) return text(404, `no release route ${req.path}`);
  if (req.method !== 'POST') return text(405, 'Method Not Allowed: use POST', { allow: 'POST' });
  const deny = (status: number, reason: string) => ctx.onDenied?.(status, reason);
  const identity = await identify(req, ctx.auth, deny);
  if ('status' in identity) return identity;
  const release = releaseOf(req.body);
  if (!release) return text(400, BAD_BODY);
  const { namespace, name } = release;
  let allowed: boolean;
  try {
    allowed = await ctx.auth.authorize(identity, { namespace, name });
  } catch (err) {
    return unavailable('check access', err);
  }
  if (!allowed) {
    deny(403, `${identity.username} may not ${GATE_ACCESS.verb} canary ${name}.${namespace}`);
    return text(
      403,
      `Forbidden: user ${identity.username} may not ${GATE_ACCESS.verb} ${GATE_ACCESS.resource}.${GATE_ACCESS.group} ${name} in namespace ${namespace}`,
    );
  }
  const outcome = await decide(
    ctx.decisions,
    { ...release, decision, by: identity.username, via: 'gate API' },
    (ctx.now ?? (() => new Date()))(),
    ctx.onEventError,
  );
  return text(outcome.status, outcome.status === 409 ? `Conflict: ${outcome.message}` : outcome.message);
}
