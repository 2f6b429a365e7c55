import got, { HTTPError, RequestError } from 'got';
import type { CanaryWebhook, HookType } from '../api/types.ts';
import { parseDuration } from '../api/duration.ts';
import type { CheckResult } from '../engine/model.ts';

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

export function hooksOfType(hooks: CanaryWebhook[] | undefined, type: HookType): CanaryWebhook[] {
  return (hooks ?? []).filter((h) => (h.type ?? 'rollout') === type);
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof HTTPError) {
    const body = String(err.response.body ?? '')
      .trim()
      .slice(0, 200);
    return `${err.response.statusCode} ${err.response.statusMessage ?? ''}${body ? `: ${body}` : ''}`.trim();
  }
  if (err instanceof RequestError && err.code === 'ETIMEDOUT') return `timed out after ${timeoutMs / 1000}s`;
  if (err instanceof RequestError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Calls one webhook; a 2xx answer is a pass. Failures are values; the one rejection is an aborted
 * `signal` (with its reason), which ends the call at once: an aborted call is no result, not a failed check.
 */
export async function callHook(
  hook: CanaryWebhook,
  payload: HookPayload,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const hookType = hook.type ?? 'rollout';
  let timeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  try {
    if (hook.timeout) timeoutMs = parseDuration(hook.timeout);
    await got.post(hook.url, {
      json: { ...payload, metadata: { ...(hook.metadata ?? {}), ...(payload.metadata ?? {}) } },
      timeout: { request: timeoutMs },
      retry: { limit: hook.retries ?? 0, methods: ['POST'], backoffLimit: 1000 },
      signal,
    });
    signal?.throwIfAborted();
    return { kind: 'webhook', name: hook.name, hookType, ok: true, message: `webhook ${hook.name} passed` };
  } catch (err) {
    signal?.throwIfAborted();
    return {
      kind: 'webhook',
      name: hook.name,
      hookType,
      ok: false,
      message: `webhook ${hook.name} failed: ${describe(err, timeoutMs)}`,
    };
  }
}

/** Runs every hook of one type in parallel; rejects with the abort reason as soon as `signal` aborts. */
export function runHooks(
  hooks: CanaryWebhook[] | undefined,
  type: HookType,
  payload: HookPayload,
  signal?: AbortSignal,
): Promise<CheckResult[]> {
  return Promise.all(hooksOfType(hooks, type).map((h) => callHook(h, payload, signal)));
}
