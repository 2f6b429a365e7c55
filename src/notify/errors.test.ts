import { describe, expect, it } from 'vitest';
import { NotifyError, redact, sanitizeError, toNotifyError } from './errors.ts';
import { sampleAlert } from './testing/alerts.ts';

const SLACK = 'https://hooks.slack.com/services/T0000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const GCHAT =
  'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=AIzaSyDdI0hCZtE6vySjMm&token=abcdefghijklmnop123';

describe('redact', () => {
  it('removes the secret wherever it appears', () => {
    expect(redact(`POST ${SLACK} failed`, SLACK)).toBe('POST [redacted] failed');
    expect(redact(`to ${encodeURIComponent(SLACK)}`, SLACK)).toBe('to [redacted]');
  });

  it('removes token-like parts of the secret quoted on their own', () => {
    const out = redact(
      'path /services/T0000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX and XXXXXXXXXXXXXXXXXXXXXXXX',
      SLACK,
    );
    expect(out).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
    const q = redact('key=AIzaSyDdI0hCZtE6vySjMm&token=abcdefghijklmnop123 token abcdefghijklmnop123', GCHAT);
    expect(q).not.toContain('abcdefghijklmnop123');
    expect(q).not.toContain('AIzaSyDdI0hCZtE6vySjMm');
  });

  it('removes any other URL and keeps the rest of the text', () => {
    expect(redact('connect ECONNREFUSED at http://10.0.0.1:9/x?y=1, retry')).toBe(
      'connect ECONNREFUSED at [redacted-url], retry',
    );
    expect(redact('plain text', SLACK)).toBe('plain text');
  });

  it('takes several secrets', () => {
    const proxy = 'http://user:hunter2secret@proxy:3128';
    expect(redact(`${SLACK} via ${proxy}`, [SLACK, proxy, undefined])).toBe('[redacted] via [redacted]');
    expect(redact('password hunter2secret', [proxy])).toBe('password [redacted]');
  });
});

describe('sanitizeError', () => {
  it('redacts message, stack and causes but keeps name and code', () => {
    const inner = Object.assign(new Error(`connect ECONNREFUSED ${SLACK}`), { code: 'ECONNREFUSED' });
    const outer = new TypeError('fetch failed', { cause: inner });
    const copy = sanitizeError(outer, [SLACK]);
    expect(copy.name).toBe('TypeError');
    expect((copy.cause as Error & { code: string }).code).toBe('ECONNREFUSED');
    expect(JSON.stringify([copy.message, copy.stack, (copy.cause as Error).message])).not.toContain(
      'hooks.slack',
    );
  });
});

describe('toNotifyError', () => {
  const ctx = { type: 'slack' as const, name: 'test/on-call', address: SLACK, alert: sampleAlert() };

  it('names the provider and canary, never the address', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:9 ${SLACK}`), { code: 'ECONNREFUSED' }),
    });
    const err = toNotifyError(cause, ctx);
    expect(err).toBeInstanceOf(NotifyError);
    expect(err.code).toBe('ERR_NETWORK');
    expect(err.message).toMatch(
      /^slack alert for podinfo\.test to provider test\/on-call failed: ECONNREFUSED/,
    );
    expect(err.message).not.toContain('hooks.slack.com');
    expect(JSON.stringify(err.cause, Object.getOwnPropertyNames(err.cause))).not.toContain('hooks.slack.com');
  });

  it('classifies timeouts and aborts', () => {
    expect(toNotifyError(new DOMException('The operation timed out.', 'TimeoutError'), ctx).code).toBe(
      'ERR_TIMEOUT',
    );
    expect(toNotifyError(new DOMException('aborted', 'AbortError'), ctx).code).toBe('ERR_ABORTED');
    expect(toNotifyError('weird', { ...ctx, name: undefined }).message).toBe(
      'slack alert for podinfo.test failed: weird',
    );
  });

  it('passes NotifyErrors through', () => {
    const e = new NotifyError('ERR_HTTP', 'x', { statusCode: 500 });
    expect(toNotifyError(e, ctx)).toBe(e);
    expect(e.statusCode).toBe(500);
    expect(e.name).toBe('NotifyError');
  });
});
