/**
 * Whether this process may write now, asked twice per request: when a writer's method is called, and in
 * the client's last step before sending (after authentication, discovery), where the abort signal is
 * also attached to the request.
 */
import {
  KubernetesObjectApi,
  Observable,
  setHeaderOptions,
  type ConfigurationOptions,
  type KubeConfig,
  type KubernetesObject,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';

/**
 * Why this process may not write now — e.g. it does not hold the leader Lease — or undefined when it
 * may. Asked right before every request a writer sends.
 */
export type WriteGuard = () => string | undefined;

/**
 * A write this process refused to send. `ENOTLEADER`: the guard said no (the leader Lease is not held);
 * `EABORTED`: the writer's signal aborted (leadership lost, controller stopping), the reason as `cause`.
 */
export class WriteRefusedError extends Error {
  readonly code: 'ENOTLEADER' | 'EABORTED';

  constructor(code: 'ENOTLEADER' | 'EABORTED', message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WriteRefusedError';
    this.code = code;
  }
}

export interface AdmissionOptions {
  /** Checked right before each request is sent; none means always allowed (no leader election). */
  guard?: WriteGuard;
  /** Once aborted, requests in flight are cancelled and no new one is sent. */
  signal?: AbortSignal;
  /** Told every write refused by the guard or the signal (before it throws). */
  onRefused?: (verb: string, err: WriteRefusedError) => void;
}

/**
 * The object API (server-side apply, delete) with one more middleware, run right before each request is
 * sent: unlike the typed APIs, its methods ignore the middleware of per-request options.
 */
export class ObjectApiWith extends KubernetesObjectApi {
  static create(kc: KubeConfig, middleware: ObservableMiddleware): ObjectApiWith {
    const api = kc.makeApiClient(ObjectApiWith);
    api.setDefaultNamespace(kc);
    api.configuration = { ...api.configuration, middleware: [...api.configuration.middleware, middleware] };
    return api;
  }

  /** The path of an object from the API root, its resource name found by discovery (cached per group). */
  pathOf(obj: KubernetesObject): Promise<string> {
    return this.specUriPath(obj, 'patch');
  }
}

/** One writer's guard and signal, and the client options that check them before each request. */
export class WriteAdmission {
  readonly options: AdmissionOptions;

  constructor(options: AdmissionOptions) {
    this.options = options;
  }

  /** Throws WriteRefusedError when this process may not write now. */
  admit(verb: string): void {
    const { signal, guard, onRefused } = this.options;
    let refused: WriteRefusedError | undefined;
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      refused = new WriteRefusedError(
        'EABORTED',
        `write refused: ${reason instanceof Error ? reason.message : 'aborted'}`,
        { cause: reason },
      );
    } else {
      const problem = guard?.();
      if (problem !== undefined) refused = new WriteRefusedError('ENOTLEADER', `write refused: ${problem}`);
    }
    if (!refused) return;
    onRefused?.(verb, refused);
    throw refused;
  }

  /** Checks again right before the client sends, and attaches the signal to the request. */
  private middleware(verb?: string): ObservableMiddleware {
    return {
      pre: (ctx: RequestContext) => {
        try {
          this.admit(verb ?? String(ctx.getHttpMethod()).toLowerCase());
        } catch (err) {
          return new Observable<RequestContext>(Promise.reject(err));
        }
        if (this.options.signal) ctx.setSignal(this.options.signal);
        return new Observable(Promise.resolve(ctx));
      },
      post: (res) => new Observable(Promise.resolve(res)),
    };
  }

  /** Per-request options of the typed APIs: the check and, for patches, the content type. */
  requestOptions(verb: string, contentType?: string): ConfigurationOptions<ObservableMiddleware> {
    const opts: ConfigurationOptions<ObservableMiddleware> = {
      middleware: [this.middleware(verb)],
      middlewareMergeStrategy: 'append',
    };
    return contentType ? setHeaderOptions('Content-Type', contentType, opts) : opts;
  }

  /** An object API (apply, delete) whose every request is checked like the typed APIs' ones. */
  objectApi(kc: KubeConfig): ObjectApiWith {
    return ObjectApiWith.create(kc, this.middleware());
  }
}
