/**
 * Who may press Approve or Roll back for a Canary: the Slack users listed in `approvers` of its
 * `analysis.alerts` entries, and in `spec.approvers` of the Slack AlertProviders those entries name.
 * Nobody is allowed when no list names anyone.
 */
import type { AlertProvider, Canary } from '../api/types.ts';

/** The AlertProvider `namespace/name`, or undefined when there is none. */
export type ProviderLookup = (namespace: string, name: string) => Promise<AlertProvider | undefined>;

export interface ApproverList {
  /** Slack user IDs allowed to act. */
  users: ReadonlySet<string>;
  /** Where they come from, for messages: `spec.analysis.alerts[0].approvers`, `AlertProvider team-a/slack`. */
  sources: string[];
}

const ids = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string' && v !== '') : [];

export async function approversOf(canary: Canary, providers: ProviderLookup): Promise<ApproverList> {
  const users = new Set<string>();
  const sources: string[] = [];
  const namespace = canary.metadata.namespace ?? '';
  const alerts = canary.spec.analysis?.alerts ?? [];
  for (const [i, alert] of alerts.entries()) {
    const ref = alert.providerRef;
    const provider = ref?.name ? await providers(ref.namespace || namespace, ref.name) : undefined;
    // Buttons only go out through Slack providers; a list on an entry of another type grants nothing.
    if (provider?.spec.type !== 'slack') continue;
    const own = ids(alert.approvers);
    if (own.length > 0) sources.push(`spec.analysis.alerts[${i}].approvers`);
    const shared = ids(provider.spec.approvers);
    if (shared.length > 0) sources.push(`AlertProvider ${ref.namespace || namespace}/${ref.name}`);
    for (const id of [...own, ...shared]) users.add(id);
  }
  return { users, sources };
}
