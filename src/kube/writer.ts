import { PatchStrategy, V1MicroTime, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { Kube } from './client.ts';
import { statusCode } from './client.ts';

export const FIELD_MANAGER = 'kanaria';
const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface EventInput {
  namespace: string;
  regarding: { apiVersion: string; kind: string; name: string; uid?: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
  now: Date;
}

/** The only place that writes to the API server. `onRequest` counts requests by verb. */
export class KubeWriter {
  private readonly kube: Kube;
  private readonly instance: string;
  private readonly onRequest: (verb: string) => void;

  constructor(kube: Kube, instance: string, onRequest: (verb: string) => void = () => {}) {
    this.kube = kube;
    this.instance = instance;
    this.onRequest = onRequest;
  }

  /** Server-side apply with force: Kanaria owns every field it sets on the objects it creates. */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    this.onRequest('apply');
    return this.kube.objects.patch(
      obj,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    ) as Promise<T>;
  }

  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    this.onRequest('patch');
    await this.kube.apps.patchNamespacedDeployment(
      { name, namespace, body: { spec: { replicas } } },
      mergePatch(),
    );
  }

  /** Returns the Canary's new resourceVersion. */
  async patchCanaryStatus(
    namespace: string,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<string | undefined> {
    this.onRequest('patch');
    const out = await this.kube.custom.patchNamespacedCustomObjectStatus(
      {
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace,
        name,
        body: { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status },
      },
      mergePatch(),
    );
    return (out as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  }

  async patchCanaryMetadata(namespace: string, name: string, metadata: object): Promise<void> {
    this.onRequest('patch');
    await this.kube.custom.patchNamespacedCustomObject(
      { group: 'kanaria.dev', version: 'v1beta1', plural: 'canaries', namespace, name, body: { metadata } },
      mergePatch(),
    );
  }

  async createEvent(e: EventInput): Promise<void> {
    this.onRequest('create');
    await this.kube.events.createNamespacedEvent({
      namespace: e.namespace,
      body: {
        metadata: { name: `${e.regarding.name}.${randomBytes(8).toString('hex')}`, namespace: e.namespace },
        eventTime: new V1MicroTime(e.now.getTime()),
        reportingController: 'kanaria.dev/controller',
        reportingInstance: this.instance,
        action: e.action,
        reason: e.reason,
        note: e.note.slice(0, 1000),
        type: e.type,
        regarding: { ...e.regarding, namespace: e.namespace },
      },
    });
  }

  /** Deletes an object; one that is already gone is not an error. */
  async delete(obj: KubernetesObject): Promise<void> {
    this.onRequest('delete');
    try {
      await this.kube.objects.delete(obj);
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }
}
