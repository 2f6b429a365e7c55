import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { statusCode, type Kube } from './client.ts';
import { eventBody, type EventInput } from './event-body.ts';
import { FIELD_MANAGER } from './field-managers.ts';
import { sendJson, type JsonRequest } from './json-request.ts';
import { OwnWrites, resourceOfKind } from './own-writes.ts';
import { WriteAdmission, type AdmissionOptions, type ObjectApiWith } from './write-admission.ts';

export interface WriterOptions extends AdmissionOptions {
  /** Where the resourceVersions of writes are noted; shared by the copies withSignal makes. */
  ownWrites?: OwnWrites;
}

/** The resource of an object's kind as the API server names it (Ingress → ingresses). */
function resourceOf(obj: KubernetesObject): string {
  return resourceOfKind(obj.kind);
}

const MERGE_PATCH: string = PatchStrategy.MergePatch;

/** A name as one segment of a request path. */
const segment = encodeURIComponent;

/** Told each request a writer sends: its verb and resource (`canaries/status` for a subresource). */
export type RequestCounter = (verb: string, resource: string) => void;

/**
 * The only place that writes to the API server. `onRequest` counts requests by verb and resource; every
 * request passes the writer's admission (write-admission.ts: the guard and the signal).
 */
export class KubeWriter {
  private readonly kube: Kube;
  private readonly instance: string;
  private readonly onRequest: RequestCounter;
  private readonly options: WriterOptions;
  /** The guard and signal every request is checked against. */
  private readonly admission: WriteAdmission;
  /** The object API with this writer's check; made on first use. */
  private objectApi: ObjectApiWith | undefined;
  /** The resourceVersions this writer's applies, scales and Canary status patches got back. */
  readonly ownWrites: OwnWrites;

  constructor(
    kube: Kube,
    instance: string,
    onRequest: RequestCounter = () => {},
    options: WriterOptions = {},
  ) {
    this.kube = kube;
    this.instance = instance;
    this.onRequest = onRequest;
    this.options = options;
    this.admission = new WriteAdmission(options);
    this.ownWrites = options.ownWrites ?? new OwnWrites();
  }

  /** The same writer whose requests also stop when `signal` aborts (one leadership term, one manager). */
  withSignal(signal: AbortSignal): KubeWriter {
    const signals = this.options.signal ? [this.options.signal, signal] : [signal];
    return new KubeWriter(this.kube, this.instance, this.onRequest, {
      ...this.options,
      ownWrites: this.ownWrites,
      signal: signals.length > 1 ? AbortSignal.any(signals) : signal,
    });
  }

  /**
   * A write of the weight steps' hot path (annotations, status, Events) as one plain JSON request, by
   * field manager kanaria; checked again right before it is sent, and stopped by the writer's signal.
   */
  private send<T>(verb: string, req: Omit<JsonRequest, 'beforeSend' | 'signal' | 'query'>): Promise<T> {
    return sendJson<T>(this.kube.kc, {
      ...req,
      query: { fieldManager: FIELD_MANAGER },
      signal: this.options.signal,
      beforeSend: () => this.admission.admit(verb),
    });
  }

  private get objects(): ObjectApiWith {
    this.objectApi ??= this.admission.objectApi(this.kube.kc);
    return this.objectApi;
  }

  /** Server-side apply with force: Kanaria owns every field it sets on the objects it creates. */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    this.admission.admit('apply');
    this.onRequest('apply', resourceOf(obj));
    const meta = obj.metadata;
    return this.ownWrites.track(
      resourceOf(obj),
      meta?.namespace,
      meta?.name,
      () =>
        this.objects.patch(
          obj,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        ) as Promise<T>,
      (applied) => applied.metadata?.resourceVersion,
    );
  }

  /**
   * JSON merge patch of some annotations of an object Kanaria applied (a weight step that changes nothing
   * else), only onto `resourceVersion` (409 Conflict if the object changed since); returns the new one.
   */
  async patchAnnotations(
    obj: KubernetesObject,
    annotations: Record<string, string>,
    resourceVersion: string,
  ): Promise<string | undefined> {
    this.admission.admit('patch');
    this.onRequest('patch', resourceOf(obj));
    const { name, namespace } = obj.metadata ?? {};
    const body: KubernetesObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name, namespace, resourceVersion, annotations },
    };
    const path = await this.objects.pathOf(body);
    const out = await this.ownWrites.track(
      resourceOf(obj),
      namespace,
      name,
      () => this.send<KubernetesObject>('patch', { method: 'PATCH', path, contentType: MERGE_PATCH, body }),
      (patched) => patched.metadata?.resourceVersion,
    );
    return out.metadata?.resourceVersion;
  }

  /** Returns the Deployment's new resourceVersion. */
  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<string | undefined> {
    this.admission.admit('patch');
    this.onRequest('patch', 'deployments');
    const out = await this.ownWrites.track(
      'deployments',
      namespace,
      name,
      () =>
        this.kube.apps.patchNamespacedDeployment(
          { name, namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
          this.admission.requestOptions('patch', PatchStrategy.MergePatch),
        ),
      (answer) => answer.metadata?.resourceVersion,
    );
    return out.metadata?.resourceVersion;
  }

  /** Returns the Canary's new resourceVersion. */
  async patchCanaryStatus(
    namespace: string,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<string | undefined> {
    const body = { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status };
    return this.patchStatus('canaries', namespace, name, body, PatchStrategy.MergePatch);
  }

  /**
   * Replaces (or, with `outcome` undefined, removes) status.pendingOutcome only while its id is `id`:
   * a JSON patch test on the id, which carries no characters the API server escapes. No
   * resourceVersion is needed, so an unrelated edit of the Canary meanwhile does not make it fail.
   */
  async patchCanaryOutcome(
    namespace: string,
    name: string,
    id: string,
    outcome: object | undefined,
  ): Promise<string | undefined> {
    const body = [
      { op: 'test', path: '/status/pendingOutcome/id', value: id },
      outcome === undefined
        ? { op: 'remove', path: '/status/pendingOutcome' }
        : { op: 'replace', path: '/status/pendingOutcome', value: outcome },
    ];
    return this.patchStatus('canaries', namespace, name, body, PatchStrategy.JsonPatch);
  }

  /** One status patch of one of Kanaria's kinds; returns the new resourceVersion. */
  private async patchStatus(
    plural: 'canaries' | 'metrictemplates' | 'alertproviders',
    namespace: string,
    name: string,
    body: object,
    strategy: PatchStrategy,
  ): Promise<string | undefined> {
    this.admission.admit('patch');
    this.onRequest('patch', `${plural}/status`);
    const path = `/apis/kanaria.dev/v1beta1/namespaces/${segment(namespace)}/${plural}/${segment(name)}/status`;
    const send = () =>
      this.send<{ metadata?: { resourceVersion?: string } }>('patch', {
        method: 'PATCH',
        path,
        contentType: strategy,
        body,
      });
    const versionOf = (out: { metadata?: { resourceVersion?: string } }) => out.metadata?.resourceVersion;
    const out =
      plural === 'canaries'
        ? await this.ownWrites.track(plural, namespace, name, send, versionOf)
        : await send();
    return versionOf(out);
  }

  /** Merge-patches the status of a MetricTemplate or AlertProvider, with the resourceVersion read. */
  async patchResourceStatus(
    plural: 'metrictemplates' | 'alertproviders',
    namespace: string,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<void> {
    const body = { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status };
    await this.patchStatus(plural, namespace, name, body, PatchStrategy.MergePatch);
  }

  async patchCanaryMetadata(namespace: string, name: string, metadata: object): Promise<void> {
    this.admission.admit('patch');
    this.onRequest('patch', 'canaries');
    await this.kube.custom.patchNamespacedCustomObject(
      {
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace,
        name,
        body: { metadata },
        fieldManager: FIELD_MANAGER,
      },
      this.admission.requestOptions('patch', PatchStrategy.MergePatch),
    );
  }

  async createEvent(e: EventInput): Promise<void> {
    this.admission.admit('create');
    this.onRequest('create', 'events');
    // JSON.stringify writes eventTime (a V1MicroTime) with microseconds, as the API server wants it.
    await this.send('create', {
      method: 'POST',
      path: `/apis/events.k8s.io/v1/namespaces/${segment(e.namespace)}/events`,
      contentType: 'application/json',
      body: eventBody(e, this.instance),
    });
  }

  /** Deletes an object; one that is already gone is not an error. */
  async delete(obj: KubernetesObject): Promise<void> {
    this.admission.admit('delete');
    this.onRequest('delete', resourceOf(obj));
    try {
      await this.objects.delete(obj);
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }
}
