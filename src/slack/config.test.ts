import { describe, expect, it } from 'vitest';
import { parseOrigins } from './config.ts';

describe('--slack-response-origins', () => {
  it('takes a comma-separated list of origins', () => {
    expect(parseOrigins('https://hooks.slack.com, https://hooks.slack-gov.com', '--o')).toEqual([
      'https://hooks.slack.com',
      'https://hooks.slack-gov.com',
    ]);
    expect(parseOrigins(undefined, '--o')).toBeUndefined();
  });

  it('refuses anything that is not a bare origin, naming the flag and an example', () => {
    for (const bad of ['hooks.slack.com', 'https://hooks.slack.com/actions', 'ftp://hooks.slack.com'])
      expect(() => parseOrigins(bad, '--slack-response-origins')).toThrow(
        `--slack-response-origins: ${JSON.stringify(bad)} is not an origin: write it like https://hooks.slack.com`,
      );
  });
});
