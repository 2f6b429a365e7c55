/** The webhooks an app under test offers: the project's load tester aimed at the canary's URL. */
import type { AppUnderTest } from './harness.ts';

export function loadTesterHooks(loadTesterUrl: string, canaryUrl: string): AppUnderTest['hooks'] {
  const hook = (name: string, type: 'pre-rollout' | 'rollout', metadata: Record<string, string>) => ({
    name,
    type,
    url: `${loadTesterUrl}/`,
    timeout: '10s',
    metadata,
  });
  return {
    acceptance: () =>
      hook('acceptance-test', 'pre-rollout', {
        type: 'request',
        method: 'POST',
        body: 'test',
        url: `${canaryUrl}/token`,
        contains: 'token',
      }),
    load: () =>
      hook('load-test', 'rollout', { type: 'load', url: `${canaryUrl}/`, rps: '10', duration: '1s' }),
    smoke: () => hook('smoke-test', 'rollout', { type: 'request', url: `${canaryUrl}/`, count: '3' }),
  };
}
