/** The interactivity endpoint's configuration from the command line: where the signing secret comes from. */
import type { Kube } from '../kube/client.ts';
import { statusCode } from '../kube/client.ts';
import type { SlackInteractivityOptions } from './route.ts';

export const SIGNING_SECRET_ENV = 'KANARIA_SLACK_SIGNING_SECRET';
/** The key of the Secret named by --slack-signing-secret. */
export const SIGNING_SECRET_KEY = 'signing-secret';

export interface SlackFlags {
  /** Secret (in `namespace`) whose `signing-secret` key holds the Slack app's signing secret. */
  signingSecret?: string;
  namespace: string;
  /** Comma-separated origins response_url may have, e.g. https://hooks.slack.com. */
  responseOrigins?: string;
  /** How the flags are spelt, for messages. */
  secretFlag: string;
  originsFlag: string;
}

/** Options for the endpoint, or undefined when no signing secret is configured (the endpoint is off). */
export async function slackInteractivityFromFlags(
  kube: Kube,
  flags: SlackFlags,
): Promise<SlackInteractivityOptions | undefined> {
  let secret: string | undefined;
  if (flags.signingSecret) {
    let data: Record<string, string> | undefined;
    try {
      data = (await kube.core.readNamespacedSecret({ name: flags.signingSecret, namespace: flags.namespace }))
        .data;
    } catch (err) {
      if (statusCode(err) === 404)
        throw new Error(
          `${flags.secretFlag}: Secret ${flags.signingSecret} not found in namespace ${flags.namespace}: create it with key "${SIGNING_SECRET_KEY}" holding the Slack app's signing secret`,
          { cause: err },
        );
      throw err;
    }
    const raw = data?.[SIGNING_SECRET_KEY];
    secret = raw ? Buffer.from(raw, 'base64').toString('utf8').trim() : '';
    if (!secret)
      throw new Error(
        `${flags.secretFlag}: Secret ${flags.namespace}/${flags.signingSecret} has no non-empty key "${SIGNING_SECRET_KEY}"`,
      );
  } else secret = process.env[SIGNING_SECRET_ENV] || undefined;
  if (!secret) {
    if (flags.responseOrigins)
      throw new Error(`${flags.originsFlag} needs ${flags.secretFlag} (or $${SIGNING_SECRET_ENV})`);
    return undefined;
  }
  const responseOrigins = parseOrigins(flags.responseOrigins, flags.originsFlag);
  return { signingSecret: secret, ...(responseOrigins ? { responseOrigins } : {}) };
}

export function parseOrigins(list: string | undefined, flag: string): string[] | undefined {
  if (!list) return undefined;
  const origins = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    const ok =
      URL.canParse(o) &&
      ['https:', 'http:'].includes(new URL(o).protocol) &&
      new URL(o).origin === o.replace(/\/$/, '');
    if (!ok)
      throw new Error(
        `${flag}: ${JSON.stringify(o)} is not an origin: write it like https://hooks.slack.com`,
      );
  }
  return origins;
}
