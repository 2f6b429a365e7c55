/**
 * The HTTP side of the fault proxy: what a request is (verb, resource, watch), the Status bodies the API
 * server answers errors with, hop-by-hop headers, and the proxy's TLS certificate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname, join } from 'node:path';

export const STATUS = {
  409: {
    reason: 'Conflict',
    message: 'the object has been modified; please apply your changes to the latest version and try again',
  },
  429: { reason: 'TooManyRequests', message: 'too many requests, please try again later' },
  500: {
    reason: 'InternalError',
    message: 'an error on the server has prevented the request from succeeding',
  },
} as const;
export const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
const HOP_BY_HOP = 'connection keep-alive proxy-connection transfer-encoding upgrade te trailer'.split(' ');

/**
 * The verb and resource (`plural[/subresource]`) of an API path; verb 'discovery' for a group version's
 * resource list, 'other' for non-resource paths.
 */
export function describeRequest(
  method: string,
  url: string,
): { verb: string; resource: string; watch: boolean } {
  const [path, query = ''] = url.split('?');
  const watch = /(^|&)watch=(true|1)(&|$)/.test(query) || path.includes('/watch/');
  const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)((?:\/[^/]+)*)\/?$/.exec(path);
  if (!m) return { verb: WRITES.has(method) ? VERBS[method] : 'other', resource: 'other', watch };
  let segs = m[1].split('/').filter((s) => s && s !== 'watch');
  if (segs[0] === 'namespaces' && segs.length >= 3) segs = segs.slice(2);
  const resource = segs.length >= 3 ? `${segs[0]}/${segs[2]}` : (segs[0] ?? 'other');
  const read = segs.length === 0 ? 'discovery' : segs.length >= 2 ? 'get' : 'list';
  const verb = WRITES.has(method) ? VERBS[method] : watch ? 'watch' : read;
  return { verb, resource, watch };
}

export function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

/** A certificate for the proxy: a fresh self-signed one from openssl, else the control plane's own. */
export function serverCertificate(
  dir: string,
  kubeconfig: string,
): { cert: Buffer; key: Buffer; source: string } {
  const [cert, key] = [join(dir, 'proxy.crt'), join(dir, 'proxy.key')];
  try {
    const subject = ['-subj', '/CN=kanaria-chaos-fault-proxy', '-addext', 'subjectAltName=IP:127.0.0.1'];
    const args = [...'req -x509 -newkey rsa:2048 -nodes -days 2'.split(' '), '-keyout', key, '-out', cert];
    execFileSync('openssl', [...args, ...subject], { stdio: 'ignore' });
    return { cert: readFileSync(cert), key: readFileSync(key), source: 'self-signed by openssl' };
  } catch {
    const pki = join(dirname(kubeconfig), 'pki');
    if (!existsSync(join(pki, 'apiserver.key')))
      throw new Error(`fault proxy: no openssl and no ${pki}/apiserver.{crt,key} to serve TLS with`);
    return {
      cert: readFileSync(join(pki, 'apiserver.crt')),
      key: readFileSync(join(pki, 'apiserver.key')),
      source: `the control plane's own (${pki})`,
    };
  }
}
