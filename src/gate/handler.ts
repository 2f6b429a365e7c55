/** The gate API as a node:http handler that the operator's HTTP server (or `kanaria gate`) mounts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kube } from '../kube/client.ts';
import { describeError } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import { answerGate, isGatePath, type GateResponse } from './routes.ts';
import { kubeGateStore, type GateStore } from './store.ts';

/** Webhook payloads are small; anything bigger is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface GateHandlerOptions {
  kube: Kube;
  /** When set, /gate/open|close and /rollback/open|close need `Authorization: Bearer <token>`. */
  token?: string;
  log: Logger;
  /** Where gate state lives; annotations on the Canary objects of `kube` by default. */
  store?: GateStore;
}

/** Handles a request when its path is a gate path, answering asynchronously; returns false otherwise. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: GateResponse): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
  res.end(answer.body);
}

export function createGateHandler(options: GateHandlerOptions): RouteHandler {
  const { log, token } = options;
  const store = options.store ?? kubeGateStore(options.kube);
  const onChange = (c: { namespace: string; name: string; annotation: string; value: string }) =>
    log.info(
      { canary: `${c.name}.${c.namespace}`, annotation: c.annotation, value: c.value },
      'gate changed',
    );
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!isGatePath(path)) return false;
    const handle = async () => {
      let body: string;
      try {
        body = await readBody(req);
      } catch (err) {
        if (err instanceof BodyTooLarge) return send(res, { status: 413, body: 'Payload Too Large' });
        throw err;
      }
      const answer = await answerGate(
        { method: req.method ?? 'GET', path, authorization: req.headers.authorization, body },
        { store, token, onChange },
      );
      log.debug({ path, status: answer.status }, 'gate request');
      send(res, answer);
    };
    handle().catch((err: unknown) => {
      log.warn({ path, err: describeError(err) }, 'gate request failed');
      send(res, { status: 500, body: `gate state unavailable: ${describeError(err)}` });
    });
    return true;
  };
}
