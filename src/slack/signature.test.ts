import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from './signature.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&payload=%7B%22type%22%3A%22block_actions%22%7D';
const now = Date.UTC(2026, 11, 2, 11, 0, 0);
const ts = String(Math.floor(now / 1000));

describe('Slack request signatures', () => {
  it("matches Slack's documented example", () => {
    // The example of Slack's "Verifying requests from Slack" guide.
    const example =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, '1531420618', example)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('accepts a request signed with the secret, now', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature({ timestamp: ts, signature, body }, secret, now)).toEqual({ ok: true });
  });

  it('refuses a request signed with another secret', () => {
    const signature = slackSignature('another-secret', ts, body);
    expect(verifySlackSignature({ timestamp: ts, signature, body }, secret, now)).toEqual({
      ok: false,
      reason: 'X-Slack-Signature does not match the signing secret',
    });
  });

  it('refuses a tampered body and a tampered timestamp', () => {
    const signature = slackSignature(secret, ts, body);
    const tampered = body.replace('block_actions', 'block_actionz');
    expect(verifySlackSignature({ timestamp: ts, signature, body: tampered }, secret, now).ok).toBe(false);
    const later = String(Number(ts) + 1);
    expect(verifySlackSignature({ timestamp: later, signature, body }, secret, now).ok).toBe(false);
  });

  it('refuses a correctly signed request replayed more than five minutes later (or from the future)', () => {
    const old = String(Number(ts) - 301);
    const replay = { timestamp: old, signature: slackSignature(secret, old, body), body };
    expect(verifySlackSignature(replay, secret, now)).toEqual({
      ok: false,
      reason: 'X-Slack-Request-Timestamp is 301 s from now (at most 300 s): a stale or replayed request',
    });
    const future = String(Number(ts) + 301);
    expect(
      verifySlackSignature(
        { timestamp: future, signature: slackSignature(secret, future, body), body },
        secret,
        now,
      ).ok,
    ).toBe(false);
    const edge = String(Number(ts) - 300);
    expect(
      verifySlackSignature(
        { timestamp: edge, signature: slackSignature(secret, edge, body), body },
        secret,
        now,
      ),
    ).toEqual({ ok: true });
  });

  it('refuses missing or malformed headers', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature({ signature, body }, secret, now).ok).toBe(false);
    expect(verifySlackSignature({ timestamp: 'soon', signature, body }, secret, now).ok).toBe(false);
    expect(verifySlackSignature({ timestamp: ts, body }, secret, now).ok).toBe(false);
    expect(
      verifySlackSignature({ timestamp: ts, signature: signature.slice(0, -2), body }, secret, now).ok,
    ).toBe(false);
    expect(
      verifySlackSignature({ timestamp: ts, signature: signature.toUpperCase(), body }, secret, now).ok,
    ).toBe(false);
  });
});
