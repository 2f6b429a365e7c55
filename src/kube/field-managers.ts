/**
 * Who writes, as the API server records it in managedFields (`kubectl get -o yaml --show-managed-fields`,
 * server-side apply conflicts): the operator, the gate API's requests, the CLI's requests.
 */
export const FIELD_MANAGER = 'kanaria';
export const GATE_FIELD_MANAGER = 'kanaria-gate';
export const CLI_FIELD_MANAGER = 'kubectl-kanaria';
