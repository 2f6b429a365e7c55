import type { Logger } from 'pino';
import type { AlertProvider, Condition, MetricTemplate } from '../api/types.ts';
import { validateAlertProvider, validateMetricTemplate } from '../api/validate.ts';
import { setCondition } from '../engine/status.ts';
import { describeError } from '../kube/client.ts';
import type { KubeWriter } from '../kube/writer.ts';

export type ResourcePlural = 'metrictemplates' | 'alertproviders';
type Resource = (MetricTemplate | AlertProvider) & {
  status?: { observedGeneration?: number; conditions?: Condition[] };
};

/** The Ready condition a MetricTemplate or AlertProvider gets from its validation. */
export function readyCondition(plural: ResourcePlural, resource: Resource) {
  const issues =
    plural === 'metrictemplates'
      ? validateMetricTemplate(resource as MetricTemplate)
      : validateAlertProvider(resource as AlertProvider);
  const generation = resource.metadata.generation ?? 0;
  return issues.length > 0
    ? {
        type: 'Ready',
        status: 'False' as const,
        reason: 'InvalidSpec',
        message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
        observedGeneration: generation,
      }
    : {
        type: 'Ready',
        status: 'True' as const,
        reason: 'Valid',
        message: 'the spec is valid',
        observedGeneration: generation,
      };
}

/**
 * Tells the owners of MetricTemplates and AlertProviders whether their spec is usable: a Ready
 * condition in status, and a Warning Event when it is not. Writes only when the verdict changes.
 */
export class ResourceStatus {
  private readonly writer: KubeWriter;
  private readonly clock: () => number;
  private readonly log: Logger;

  constructor(writer: KubeWriter, clock: () => number, log: Logger) {
    this.writer = writer;
    this.clock = clock;
    this.log = log;
  }

  async check(plural: ResourcePlural, resource: Resource): Promise<void> {
    const next = readyCondition(plural, resource);
    const current = resource.status?.conditions?.find((c) => c.type === 'Ready');
    if (
      current?.status === next.status &&
      current.message === next.message &&
      resource.status?.observedGeneration === next.observedGeneration
    )
      return;
    const namespace = resource.metadata.namespace!;
    const name = resource.metadata.name;
    const nowIso = new Date(this.clock()).toISOString();
    try {
      await this.writer.patchResourceStatus(
        plural,
        namespace,
        name,
        {
          observedGeneration: next.observedGeneration,
          conditions: setCondition(resource.status?.conditions, next, nowIso),
        },
        resource.metadata.resourceVersion,
      );
      if (next.status === 'False')
        await this.writer.createEvent({
          namespace,
          regarding: {
            apiVersion: 'kanaria.dev/v1beta1',
            kind: resource.kind,
            name,
            uid: resource.metadata.uid,
          },
          type: 'Warning',
          reason: 'InvalidSpec',
          action: 'Validate',
          note: `${resource.kind} ${namespace}/${name} cannot be used: ${next.message}`,
          now: new Date(this.clock()),
        });
    } catch (err) {
      // A conflict or an outage: the next change or start checks again.
      this.log.debug(
        { resource: `${plural}/${namespace}/${name}`, err: describeError(err) },
        'status not written',
      );
    }
  }
}
