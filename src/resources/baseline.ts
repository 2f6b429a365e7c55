import type { V1Deployment } from '../kube/types.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from './meta.ts';
import { baselineName, primaryName } from './names.ts';

export interface BaselineInput {
  /** The live primary Deployment: the baseline runs its pod template (and its `-primary` config copies). */
  primary: V1Deployment;
  owner: Owner;
  /** The selector label whose value is `<value>-primary` on the primary and `<value>-baseline` here. */
  selectorLabel: string;
  replicas: number;
}

function relabel(labels: Record<string, string> | undefined, key: string, value: string) {
  return { ...(labels ?? {}), [key]: value };
}

/**
 * The `-baseline` Deployment: the primary's pod template with the selector label value `<value>-baseline`,
 * so that it is a second, fresh copy of the running version that only the baseline Service selects.
 */
export function buildBaseline(input: BaselineInput): V1Deployment {
  const { primary, selectorLabel } = input;
  const primaryValue = primary.spec!.selector.matchLabels![selectorLabel];
  const suffix = primaryName('');
  const value = primaryValue.endsWith(suffix) ? primaryValue.slice(0, -suffix.length) : primaryValue;
  const name = primary.metadata!.name!;
  const target = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
  const baselineValue = baselineName(value);
  const template = primary.spec!.template;
  const {
    replicas: _replicas,
    selector: _selector,
    template: _template,
    paused: _paused,
    ...rest
  } = primary.spec!;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: baselineName(target),
      namespace: primary.metadata!.namespace,
      labels: {
        ...relabel(primary.metadata?.labels, selectorLabel, baselineValue),
        [MANAGED_BY_LABEL]: 'kanaria',
      },
      ownerReferences: [ownerReference(input.owner)],
    },
    spec: {
      ...rest,
      replicas: input.replicas,
      selector: { matchLabels: { [selectorLabel]: baselineValue } },
      template: {
        metadata: {
          ...template.metadata,
          labels: relabel(template.metadata?.labels, selectorLabel, baselineValue),
        },
        spec: template.spec,
      },
    },
  };
}
