import { stringify } from 'yaml';

export function renderKubeconfig(server: string, token: string, contextName: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kanaria-admin', user: { token } }],
    contexts: [
      { name: contextName, context: { cluster: contextName, user: 'kanaria-admin', namespace: 'default' } },
    ],
    'current-context': contextName,
  });
}
