import type { V1Deployment, V1PodTemplateSpec } from '../kube/types.ts';
import { renameConfigRefs } from './configs.ts';
import { ownerReference, PROMOTED_SPEC_ANNOTATION, PROMOTION_ID_ANNOTATION, type Owner } from './meta.ts';
import { primaryName } from './names.ts';

export interface PrimaryInput {
  target: V1Deployment;
  owner: Owner;
  /** The selector label whose value gets `-primary` (e.g. `app`). */
  selectorLabel: string;
  /** `configmap/<name>` / `secret/<name>` keys of the configs copied as `<name>-primary`. */
  tracked: Set<string>;
  /** Hash of the target template being promoted. */
  promotedSpec: string;
  /** Changes whenever the template or a tracked config changes, so the primary always rolls. */
  promotionId: string;
  /** Omitted when an HPA owns the primary's replicas. */
  replicas?: number;
}

function relabel(
  labels: Record<string, string> | undefined,
  key: string,
  value: string,
): Record<string, string> {
  return { ...(labels ?? {}), [key]: value };
}

/** The `-primary` Deployment: the target's pod template with the selector label value and configs renamed. */
export function buildPrimary(input: PrimaryInput): V1Deployment {
  const { target, selectorLabel } = input;
  const name = target.metadata!.name!;
  const value = target.spec!.selector.matchLabels![selectorLabel];
  const primaryValue = primaryName(value);
  const template = target.spec!.template;
  const podTemplate: V1PodTemplateSpec = {
    metadata: {
      labels: relabel(template.metadata?.labels, selectorLabel, primaryValue),
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        [PROMOTION_ID_ANNOTATION]: input.promotionId,
      },
    },
    spec: renameConfigRefs(template.spec!, input.tracked, primaryName),
  };
  const {
    replicas: _ignored,
    selector: _selector,
    template: _template,
    paused: _paused,
    ...rest
  } = target.spec!;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: primaryName(name),
      namespace: target.metadata!.namespace,
      labels: relabel(target.metadata?.labels, selectorLabel, primaryValue),
      annotations: { [PROMOTED_SPEC_ANNOTATION]: input.promotedSpec },
      ownerReferences: [ownerReference(input.owner)],
    },
    spec: {
      ...rest,
      ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
      selector: { matchLabels: { [selectorLabel]: primaryValue } },
      template: podTemplate,
    },
  };
}
