import { describe, expect, it } from 'vitest';
import { REDACTED, sanitizeRemoteText, urlSecrets } from './sanitize.ts';

describe('sanitizeRemoteText', () => {
  it('collapses whitespace and keeps ordinary text as it is', () => {
    expect(sanitizeRemoteText('  load test failed:\n\t87 errors\r\n')).toBe('load test failed: 87 errors');
    expect(sanitizeRemoteText('')).toBe('');
  });

  it('drops ANSI escapes, control characters, bidi overrides and zero-width characters', () => {
    const text = '\x1b[31mred\x1b[0m \x1b]0;title\x07ok\x00\x07\x08 \u202eevil\u202c \u200bzw\x7f\x9b2J';
    expect(sanitizeRemoteText(text)).toBe('red ok evil zw');
  });

  it('cuts long text to maxChars (200 by default) with an ellipsis, by characters', () => {
    expect(sanitizeRemoteText('x'.repeat(1000))).toBe(`${'x'.repeat(200)}…`);
    expect(sanitizeRemoteText('😀'.repeat(10), { maxChars: 3 })).toBe('😀😀😀…');
    expect(sanitizeRemoteText('short', { maxChars: 5 })).toBe('short');
  });

  it('redacts known secret values wherever they occur, also URL-encoded or in base64', () => {
    const secret = 's3cr3t/value+1';
    const text = `got ${secret} and ${encodeURIComponent(secret)} and ${Buffer.from(secret).toString('base64')}`;
    const out = sanitizeRemoteText(text, { secrets: [secret, undefined, ''] });
    expect(out).toBe(`got ${REDACTED} and ${REDACTED} and ${REDACTED}`);
  });

  it('redacts a secret that control characters or line breaks tried to split', () => {
    expect(sanitizeRemoteText('key=hun\x00ter2-pass', { secrets: ['hunter2-pass'] })).not.toContain(
      'hunter2',
    );
    expect(sanitizeRemoteText('-----BEGIN\n  KEY-----', { secrets: ['-----BEGIN\nKEY-----'] })).not.toContain(
      'BEGIN',
    );
  });

  it('redacts secrets before cutting, so no prefix of one survives', () => {
    const secret = 'abcdefghijklmnop';
    const out = sanitizeRemoteText(`${'x'.repeat(195)}${secret}`, { secrets: [secret] });
    expect(out).not.toContain('abcde');
  });

  it('redacts bearer and basic tokens, JWTs and URL userinfo', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sgnatur3';
    const out = sanitizeRemoteText(
      `denied for Bearer abc.DEF-123_x= (basic YWRtaW46cEBzcw==) ${jwt} via https://admin:pw@db.internal:5432/x`,
    );
    expect(out).toBe(
      `denied for Bearer ${REDACTED} (basic ${REDACTED}) ${REDACTED} via https://${REDACTED}@db.internal:5432/x`,
    );
    expect(sanitizeRemoteText('Basic authentication required')).toBe('Basic authentication required');
  });

  it('redacts the values of credential-named fields', () => {
    expect(sanitizeRemoteText('Authorization: Token 0123456789 was refused')).toBe(
      `Authorization: ${REDACTED} was refused`,
    );
    expect(sanitizeRemoteText('{"error":"bad","token":"tok-123","api_key": "k-9"}')).toBe(
      `{"error":"bad","token":"${REDACTED}","api_key": "${REDACTED}"}`,
    );
    expect(sanitizeRemoteText('GET /x?password=hunter2&user=bob')).toBe(
      `GET /x?password=${REDACTED}&user=bob`,
    );
  });
});

describe('urlSecrets', () => {
  it('returns the userinfo of a URL, raw and decoded', () => {
    expect(urlSecrets('https://bob:p%40ss@hooks.internal/x')).toEqual(['bob', 'bob', 'p%40ss', 'p@ss']);
    expect(urlSecrets('http://hooks.internal/x')).toEqual([]);
    expect(urlSecrets('not a url')).toEqual([]);
  });
});
