import type { CanaryWebhook, HookType } from '../api/types.ts';
import { parseDuration } from '../api/duration.ts';
import type { CheckResult } from '../engine/model.ts';
import { isOutboundError, outbound } from '../net/outbound.ts';
import { withRetries } from '../net/retry.ts';
import { sanitizeRemoteText, urlSecrets } from '../net/sanitize.ts';

export interface HookPayload {
  name: string;
  namespace: string;
  phase: string;
  checksum: string;
  /** The revision (status.revision) the checks are for; the gate API's /gate/check answers for it. */
  revision?: string;
  metadata?: Record<string, string>;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;

/** Bounds of webhook calls beyond the hook's own timeout and retries. */
export interface HookCallOptions {
  /** Largest answer body read (default 1 MiB); a larger one fails the check. */
  maxBodyBytes?: number;
  /** Values that must never appear in a check message (credentials sent with the call). */
  secrets?: readonly string[];
}

export function hooksOfType(hooks: CanaryWebhook[] | undefined, type: HookType): CanaryWebhook[] {
  return (hooks ?? []).filter((h) => (h.type ?? 'rollout') === type);
}

function describe(err: unknown, timeoutMs: number): string {
  if (isOutboundError(err, 'ETIMEOUT')) return `timed out after ${timeoutMs / 1000}s`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Calls one webhook through the bounded outbound client: the hook's timeout bounds each attempt
 * (body included), its `retries` retry refused connections and 429/502/503/504 with backoff, the
 * answer's body is capped and only quoted sanitised. A 2xx answer is a pass. Failures are values;
 * the one rejection is an aborted `signal` (with its reason), which ends the call at once: an
 * aborted call is no result, not a failed check.
 */
export async function callHook(
  hook: CanaryWebhook,
  payload: HookPayload,
  signal?: AbortSignal,
  options: HookCallOptions = {},
): Promise<CheckResult> {
  const hookType = hook.type ?? 'rollout';
  const secrets = [...(options.secrets ?? []), ...urlSecrets(hook.url)];
  const result = (ok: boolean, detail?: string): CheckResult => ({
    kind: 'webhook',
    name: hook.name,
    hookType,
    ok,
    message: ok ? `webhook ${hook.name} passed` : `webhook ${hook.name} failed: ${detail}`,
  });
  let timeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  try {
    if (hook.timeout) timeoutMs = parseDuration(hook.timeout);
    const body = JSON.stringify({
      ...payload,
      metadata: { ...(hook.metadata ?? {}), ...(payload.metadata ?? {}) },
    });
    const res = await withRetries(
      () =>
        outbound({
          url: hook.url,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'kanaria' },
          body,
          signal,
          timeoutMs,
          maxBodyBytes: options.maxBodyBytes,
        }),
      { retries: hook.retries ?? 0 },
      signal,
    );
    signal?.throwIfAborted();
    if (res.status >= 200 && res.status < 300) return result(true);
    const reason = sanitizeRemoteText(res.statusText, { secrets, maxChars: 60 });
    const excerpt = sanitizeRemoteText(res.body.toString('utf8'), { secrets });
    return result(false, `${res.status}${reason ? ` ${reason}` : ''}${excerpt ? `: ${excerpt}` : ''}`);
  } catch (err) {
    signal?.throwIfAborted();
    return result(false, sanitizeRemoteText(describe(err, timeoutMs), { secrets, maxChars: 300 }));
  }
}

/** Runs every hook of one type in parallel; rejects with the abort reason as soon as `signal` aborts. */
export function runHooks(
  hooks: CanaryWebhook[] | undefined,
  type: HookType,
  payload: HookPayload,
  signal?: AbortSignal,
  options?: HookCallOptions,
): Promise<CheckResult[]> {
  return Promise.all(hooksOfType(hooks, type).map((h) => callHook(h, payload, signal, options)));
}
