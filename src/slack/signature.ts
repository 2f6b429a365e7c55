/**
 * Slack's request signing: every interactivity request carries `X-Slack-Request-Timestamp` and
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}" keyed with the app's signing
 * secret>`. A request is accepted only with a matching signature and a timestamp within five minutes of
 * now, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the request's timestamp may be from now, either way. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface SignedRequest {
  /** X-Slack-Request-Timestamp: Unix seconds. */
  timestamp?: string;
  /** X-Slack-Signature: `v0=<64 hex digits>`. */
  signature?: string;
  /** The raw body, exactly as received. */
  body: string;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** `v0=<hex>` for `body` sent at `timestamp` (Unix seconds), as Slack computes it. */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  const mac = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return `v0=${mac}`;
}

/** Whether the request was signed with `signingSecret` within MAX_CLOCK_SKEW_MS of `nowMs`. */
export function verifySlackSignature(
  request: SignedRequest,
  signingSecret: string,
  nowMs: number,
): SignatureCheck {
  const { timestamp, signature, body } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'no valid X-Slack-Request-Timestamp header' };
  const skew = Math.abs(nowMs - Number(timestamp) * 1000);
  if (skew > MAX_CLOCK_SKEW_MS)
    return {
      ok: false,
      reason: `X-Slack-Request-Timestamp is ${Math.round(skew / 1000)} s from now (at most ${MAX_CLOCK_SKEW_MS / 1000} s): a stale or replayed request`,
    };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'no valid X-Slack-Signature header (v0=<hex HMAC-SHA256>)' };
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, body));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
    return { ok: false, reason: 'X-Slack-Signature does not match the signing secret' };
  return { ok: true };
}
