/** Characters of remote text kept in a message by default. */
export const DEFAULT_EXCERPT_CHARS = 200;
export const REDACTED = '[redacted]';

/* eslint-disable no-control-regex -- these patterns exist to find control characters */
/** ANSI escapes: CSI (ESC [ or the 8-bit CSI), OSC with its terminator, and two-character escapes. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
/** C0 and C1 controls other than whitespace, DEL, bidi overrides and zero-width characters. */
const CONTROL = /[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/* eslint-enable no-control-regex */

/** `scheme://user:password@` → `scheme://[redacted]@`. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** A bearer token anywhere. */
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
/** Basic credentials: base64 with at least one digit, `+`, `/` or `=` (so "Basic authentication" stays). */
const BASIC = /\b(basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{6,}=*/gi;
/** A JSON Web Token. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `authorization: …`, `"token":"…"`, `password=…` and the like: the value goes. */
const CREDENTIAL_FIELD = new RegExp(
  String.raw`(["']?)\b((?:proxy-)?authorization|x-api-key|api[-_]?key|dd-api-key|dd-application-key|` +
    String.raw`(?:access|refresh|id|auth|session)[-_]?token|token|client[-_]?secret|secret|password|passwd|` +
    String.raw`set-cookie|cookie|private[-_]?key)\1(\s*[:=]\s*)(["']?)` +
    String.raw`((?:(?:bearer|basic|token|digest|negotiate|apikey)\s+)?[^\s"'&,;]+)`,
  'gi',
);

function clean(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret may take in remote text: as is, URL-encoded, base64. */
function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const raw of secrets) {
    if (!raw) continue;
    const s = clean(raw);
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    if (s.length >= 6) {
      const base64 = Buffer.from(s).toString('base64');
      forms.add(base64);
      forms.add(base64.replace(/=+$/, ''));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

export interface SanitizeOptions {
  /** Values that must never appear (credentials): each goes wherever it occurs, also URL-encoded or in base64. */
  secrets?: readonly (string | undefined)[];
  /** Characters kept (default 200); longer text is cut and ends with "…". */
  maxChars?: number;
}

/**
 * Makes text that came from a remote server (an error body, a reason phrase) fit for Events,
 * status and logs: ANSI escapes and control characters dropped, whitespace collapsed to single
 * spaces, credentials redacted (the given secret values, bearer and basic tokens, JWTs, URL
 * userinfo, values of credential-named fields such as `Authorization:` or `"token":`), and cut to
 * `maxChars`. Redaction runs on the whole text before it is cut, so no part of a secret survives.
 */
export function sanitizeRemoteText(text: string, options: SanitizeOptions = {}): string {
  let out = clean(text);
  const forms = secretForms(options.secrets ?? []);
  if (forms.length > 0) out = out.replace(new RegExp(forms.map(escapeRegExp).join('|'), 'g'), REDACTED);
  out = out
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(CREDENTIAL_FIELD, `$1$2$1$3$4${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(BASIC, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED);
  return truncate(out, options.maxChars ?? DEFAULT_EXCERPT_CHARS);
}

/** The credentials a URL carries in its userinfo, decoded, as secrets for {@link sanitizeRemoteText}. */
export function urlSecrets(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const { username, password } = new URL(url);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return [username, password].filter((s) => s.length > 0).flatMap((s) => [s, decode(s)]);
}
