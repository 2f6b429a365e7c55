/**
 * `GET /report/{namespace}/{name}`: the release report of a Canary (src/report) as HTML, served next to
 * the gate API and let in the same way: `Authorization: Bearer <token>`, 401 without a valid token,
 * 403 when its user may not `get` that Canary (canaries.kanaria.dev), 404 when there is no Canary or
 * no analysis recorded on it yet.
 */
import type { Canary } from '../api/types.ts';
import { reportInputOf } from '../report/from-status.ts';
import { renderReleaseReport } from '../report/html.ts';
import { REPORT_ACCESS, type CanaryTarget, type GateAuth } from './auth.ts';
import {
  identify,
  text,
  unavailable,
  type GateDenial,
  type GateRequest,
  type GateResponse,
} from './routes.ts';

export const REPORT_PATH_PREFIX = '/report/';

/** Reads one Canary; undefined when there is none. */
export type CanaryReader = (namespace: string, name: string) => Promise<Canary | undefined>;

export interface ReportContext {
  auth: GateAuth;
  canaries: CanaryReader;
  onDenied?: (denial: GateDenial) => void;
}

/** A Kubernetes object name or namespace: lower case alphanumerics, '-' and '.', at most 253. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function isReportPath(path: string): boolean {
  return path.startsWith(REPORT_PATH_PREFIX);
}

/** The Canary a report path names: `/report/{namespace}/{name}`; undefined for any other path. */
export function reportTarget(path: string): CanaryTarget | undefined {
  if (!isReportPath(path)) return undefined;
  const parts = path.slice(REPORT_PATH_PREFIX.length).split('/');
  if (parts.length !== 2) return undefined;
  let namespace: string;
  let name: string;
  try {
    [namespace, name] = parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  return OBJECT_NAME.test(namespace) && OBJECT_NAME.test(name) ? { namespace, name } : undefined;
}

const HTML = { 'content-type': 'text/html; charset=utf-8' };

/** Answers one request to a report path (see isReportPath). Errors reading the Canary propagate. */
export async function answerReport(req: GateRequest, ctx: ReportContext): Promise<GateResponse> {
  const target = reportTarget(req.path);
  if (!target)
    return text(404, `Not Found: ${req.path}; the report of a Canary is at /report/{namespace}/{name}`);
  if (req.method !== 'GET') return text(405, 'Method Not Allowed: use GET', { allow: 'GET' });
  const { namespace, name } = target;
  const deny = (status: number, reason: string, user?: string) =>
    ctx.onDenied?.({ path: req.path, status, reason, user, namespace, name });

  const identity = await identify(req, ctx.auth, deny);
  if ('status' in identity) return identity;
  let allowed: boolean;
  try {
    allowed = await ctx.auth.authorize(identity, target, REPORT_ACCESS);
  } catch (err) {
    return unavailable('check access', err);
  }
  const { verb, resource, group } = REPORT_ACCESS;
  if (!allowed) {
    deny(403, `may not ${verb} the canary`, identity.username);
    return text(
      403,
      `Forbidden: user ${identity.username} may not ${verb} ${resource}.${group} ${name} in namespace ${namespace}`,
    );
  }

  const canary = await ctx.canaries(namespace, name);
  if (!canary) return text(404, `canary ${name} not found in namespace ${namespace}`);
  const source = reportInputOf(canary);
  if (!source.ok) return text(404, `canary ${name} in namespace ${namespace}: ${source.message}`);
  let html: string;
  try {
    html = renderReleaseReport(source.input);
  } catch (err) {
    return text(500, `cannot render the report of ${name}.${namespace}: ${(err as Error).message}`);
  }
  return { status: 200, body: html, headers: HTML };
}
