/** Rules for Slack approver lists the schema cannot express. */
import type { ValidationIssue } from './schema-check.ts';
import type { AlertProviderSpec, CanaryAnalysis } from './types.ts';

function duplicateIssues(approvers: unknown, field: string): ValidationIssue[] {
  if (!Array.isArray(approvers)) return [];
  const seen = new Set<unknown>();
  const issues: ValidationIssue[] = [];
  approvers.forEach((id, i) => {
    if (seen.has(id))
      issues.push({ field: `${field}[${i}]`, message: `repeats ${JSON.stringify(id)}: list each user once` });
    seen.add(id);
  });
  return issues;
}

/** An AlertProvider's spec.approvers: Slack only, each user once. */
export function alertProviderApproverIssues(spec: AlertProviderSpec): ValidationIssue[] {
  const approvers = spec.approvers;
  if (approvers === undefined) return [];
  const issues = duplicateIssues(approvers, 'spec.approvers');
  if (spec.type !== 'slack' && Array.isArray(approvers) && approvers.length > 0)
    issues.push({
      field: 'spec.approvers',
      message: `is set on a ${spec.type} provider, but only Slack alerts carry Approve and Roll back buttons: remove it (${spec.type} alerts link to kanaria promote/abort and the gate API, which check Kubernetes RBAC instead)`,
    });
  return issues;
}

/** A Canary's spec.analysis.alerts[].approvers: each user once. */
export function alertApproverIssues(analysis: CanaryAnalysis): ValidationIssue[] {
  const alerts = Array.isArray(analysis.alerts) ? analysis.alerts : [];
  return alerts.flatMap((a, i) => duplicateIssues(a?.approvers, `spec.analysis.alerts[${i}].approvers`));
}
