/**
 * Answers to a Slack user through the response_url of their (verified) interactivity request: one POST
 * of JSON, bounded (timeout, answer body cap, no redirects), and only to the origins allowed —
 * hooks.slack.com unless the operator configured others — so a request signed with a leaked secret
 * cannot point the operator at an internal address.
 */
import { outbound } from '../net/outbound.ts';

export const DEFAULT_RESPONSE_ORIGINS: readonly string[] = ['https://hooks.slack.com'];
export const RESPONSE_TIMEOUT_MS = 5_000;
const RESPONSE_MAX_BODY_BYTES = 16 * 1024;

export interface SlackReply {
  text: string;
  /** Posts in the thread of this message (the alert). */
  threadTs?: string;
  /** Only the user who pressed the button sees it. */
  ephemeral?: boolean;
}

/** The JSON body of a response_url POST: a new message, never replacing the alert (which keeps its buttons). */
export function replyBody(reply: SlackReply): string {
  return JSON.stringify({
    response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
    replace_original: false,
    text: reply.text,
    ...(reply.threadTs && !reply.ephemeral ? { thread_ts: reply.threadTs } : {}),
  });
}

/** `https://hooks.slack.com`: the origin of an http(s) URL; undefined for anything else. */
export function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
}

/** Whether `url` may receive replies: its origin is one of `origins` exactly. */
export function responseUrlAllowed(url: string, origins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== undefined && origins.some((o) => originOf(o) === origin);
}

/** Posts the reply; rejects with the reason when the URL is not allowed or the answer is not 2xx. */
export async function sendReply(
  url: string,
  reply: SlackReply,
  origins: readonly string[] = DEFAULT_RESPONSE_ORIGINS,
): Promise<void> {
  if (!responseUrlAllowed(url, origins))
    throw new Error(`response_url origin ${originOf(url) ?? '(not an http(s) URL)'} is not allowed`);
  const res = await outbound({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: replyBody(reply),
    timeoutMs: RESPONSE_TIMEOUT_MS,
    maxBodyBytes: RESPONSE_MAX_BODY_BYTES,
    maxRedirects: 0,
  });
  if (res.status < 200 || res.status >= 300) throw new Error(`response_url answered ${res.status}`);
}
