/** Slack as the scenarios use it: an AlertProvider whose webhook URL is in a Secret, and a local receiver. */
import type { CanaryAlert } from '../src/api/types.ts';
import type { Kube } from '../src/kube/client.ts';
import type { Receiver } from '../test/integration/notify/receiver.ts';

/** Secret `slack-url` (key `address`) and AlertProvider `slack`; returns the Canary's alert entry. */
export async function createSlackProvider(kube: Kube, namespace: string, url: string): Promise<CanaryAlert> {
  await kube.core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'slack-url' }, stringData: { address: url } },
  });
  await kube.custom.createNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'alertproviders',
    namespace,
    body: {
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'AlertProvider',
      metadata: { name: 'slack' },
      spec: { type: 'slack', channel: 'releases', secretRef: { name: 'slack-url' } },
    },
  });
  return { name: 'releases', severity: 'info', providerRef: { name: 'slack' } };
}

interface Block {
  type: string;
  text?: { text?: string };
  fields?: { text?: string }[];
}

/** Each received Block Kit message as text: the header first, then every section's text and fields. */
export function slackTexts(receiver: Receiver): string[] {
  return receiver.requests.map((r) => {
    const blocks = ((r.body as { blocks?: Block[] })?.blocks ?? []) as Block[];
    return blocks
      .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text)])
      .filter((t): t is string => typeof t === 'string')
      .join('\n');
  });
}
