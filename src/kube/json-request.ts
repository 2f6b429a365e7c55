/**
 * One JSON request to the API server without client-node's generated APIs: the kubeconfig's
 * authentication and the shared connection pool (client.ts) are applied as client-node applies them, then
 * undici sends the request and the answer is parsed as plain JSON. The generated path (WHATWG fetch,
 * middleware, model serialisation both ways) costs about twice the client CPU per write
 * (`npm run bench:client`), which counts for the writes every weight step makes.
 */
import { ApiException, HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';

export interface JsonRequest {
  method: 'PATCH' | 'POST';
  /** From the API root, e.g. `/apis/kanaria.dev/v1beta1/namespaces/ns/canaries/a/status`. */
  path: string;
  query?: Record<string, string>;
  contentType: string;
  body: unknown;
  signal?: AbortSignal;
  /** Called after authentication, right before the request is sent; it throws to stop the request. */
  beforeSend?: () => void;
}

/** The answer's JSON; an ApiException with the answer's code and body for any status outside 2xx. */
export async function sendJson<T>(kc: KubeConfig, req: JsonRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + req.path);
  for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
  const ctx = new RequestContext(url.toString(), req.method === 'PATCH' ? HttpMethod.PATCH : HttpMethod.POST);
  await kc.applySecurityAuthentication(ctx);
  req.beforeSend?.();
  const answer = await request(url, {
    method: req.method,
    headers: {
      ...ctx.getHeaders(),
      accept: 'application/json',
      'content-type': req.contentType,
      'user-agent': 'kanaria',
    },
    body: JSON.stringify(req.body),
    dispatcher: ctx.getDispatcher() as Dispatcher | undefined,
    signal: req.signal,
  });
  const text = await answer.body.text();
  if (answer.statusCode < 200 || answer.statusCode > 299) {
    throw new ApiException(answer.statusCode, `${req.method} ${req.path}`, text, answer.headers as never);
  }
  return JSON.parse(text) as T;
}
