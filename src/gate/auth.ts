/**
 * Who may change a gate or read a release report. The default, `kubernetes`, asks the API server: a
 * TokenReview names the bearer of the token, then a SubjectAccessReview asks whether that user may
 * `update` the Canary (canaries.kanaria.dev) named in the request, in its namespace — so a team can
 * approve or roll back only its own releases — or, for a report, `get` it. `token` compares with one shared token (anyone holding it may change any
 * gate); `none` lets anyone in, for local demos and tests only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kube } from '../kube/client.ts';
import { digestKey, ReviewCache, type ReviewCacheOptions } from './cache.ts';

export const GATE_AUTH_MODES = ['kubernetes', 'token', 'none'] as const;
export type GateAuthMode = (typeof GATE_AUTH_MODES)[number];

export function isGateAuthMode(value: string): value is GateAuthMode {
  return (GATE_AUTH_MODES as readonly string[]).includes(value);
}

/** The authenticated caller, as a TokenReview reports it. */
export interface GateIdentity {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface CanaryTarget {
  namespace: string;
  name: string;
}

/** A verb on canaries.kanaria.dev: what a SubjectAccessReview asks about the Canary of a request. */
export interface CanaryAccess {
  group: 'kanaria.dev';
  resource: 'canaries';
  verb: 'get' | 'update';
}

/** The access a gate change needs: what `kubectl auth can-i update canaries.kanaria.dev/<name> -n <ns>` asks. */
export const GATE_ACCESS = { group: 'kanaria.dev', resource: 'canaries', verb: 'update' } as const;

/** The access reading a release report needs: `kubectl auth can-i get canaries.kanaria.dev/<name> -n <ns>`. */
export const REPORT_ACCESS = { group: 'kanaria.dev', resource: 'canaries', verb: 'get' } as const;

export interface GateAuth {
  mode: GateAuthMode;
  /**
   * The caller the bearer token names; undefined when there is none or it is not valid. Rejects when the
   * answer cannot be had (API server unreachable).
   */
  authenticate(token: string | undefined): Promise<GateIdentity | undefined>;
  /**
   * Whether the caller has `access` to this Canary: by default GATE_ACCESS, which changing its gates
   * needs. Rejects when the answer cannot be had.
   */
  authorize(identity: GateIdentity, target: CanaryTarget, access?: CanaryAccess): Promise<boolean>;
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header?.trim() ?? '');
  return m ? m[1] : undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a bearer token with the shared one. */
export function sameToken(presented: string | undefined, token: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** The user name gate records carry for a caller of the shared token. */
export const SHARED_TOKEN_USER = 'holder of the shared gate token';

/** One shared token: whoever presents it may change every gate. */
export function tokenGateAuth(token: string): GateAuth {
  if (!token) throw new Error('the shared gate token is empty');
  return {
    mode: 'token',
    async authenticate(presented) {
      return sameToken(presented, token) ? { username: SHARED_TOKEN_USER } : undefined;
    },
    async authorize() {
      return true;
    },
  };
}

export const ANONYMOUS_USER = 'anonymous (gate auth none)';

/** No checks at all: for local demos and tests only. */
export function noGateAuth(): GateAuth {
  return {
    mode: 'none',
    async authenticate() {
      return { username: ANONYMOUS_USER };
    },
    async authorize() {
      return true;
    },
  };
}

/** The two questions `kubernetes` mode asks the API server. */
export interface AccessReviewer {
  /** TokenReview: the user the token belongs to, undefined when the API server does not accept it. */
  reviewToken(token: string): Promise<GateIdentity | undefined>;
  /** SubjectAccessReview: may this user `update` (or, as `access` says, `get`) this Canary? */
  reviewAccess(identity: GateIdentity, target: CanaryTarget, access: CanaryAccess): Promise<boolean>;
}

/** Reviews made with the operator's own client (it needs `create` on tokenreviews and subjectaccessreviews). */
export function kubeAccessReviewer(kube: Kube): AccessReviewer {
  return {
    async reviewToken(token) {
      const review = await kube.authn.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      const user = review.status?.user;
      if (!review.status?.authenticated || !user?.username) return undefined;
      return { username: user.username, uid: user.uid, groups: user.groups, extra: user.extra };
    },
    async reviewAccess(identity, target, access) {
      const review = await kube.authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: identity.username,
            uid: identity.uid,
            groups: identity.groups,
            extra: identity.extra,
            resourceAttributes: { ...access, namespace: target.namespace, name: target.name },
          },
        },
      });
      return review.status?.allowed === true && review.status.denied !== true;
    },
  };
}

/** The SubjectAccessReview cache key: everything the answer depends on. */
function accessKey(identity: GateIdentity, target: CanaryTarget, access: CanaryAccess): string {
  const extra = Object.entries(identity.extra ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return digestKey(
    'access',
    JSON.stringify([
      identity.username,
      identity.uid ?? '',
      [...(identity.groups ?? [])].sort(),
      extra,
      target.namespace,
      target.name,
      access.verb,
    ]),
  );
}

/**
 * `kubernetes` mode. Answers, positive and negative, are kept briefly (10 s by default) so that a burst of
 * calls does not turn into a burst of reviews; the token cache is keyed by the token's SHA-256 digest.
 */
export function kubernetesGateAuth(reviewer: AccessReviewer, cache: ReviewCacheOptions = {}): GateAuth {
  const tokens = new ReviewCache<GateIdentity | undefined>(cache);
  const accessAnswers = new ReviewCache<boolean>(cache);
  return {
    mode: 'kubernetes',
    async authenticate(token) {
      if (!token) return undefined;
      return tokens.get(digestKey('token', token), () => reviewer.reviewToken(token));
    },
    async authorize(identity, target, access: CanaryAccess = GATE_ACCESS) {
      return accessAnswers.get(accessKey(identity, target, access), () =>
        reviewer.reviewAccess(identity, target, access),
      );
    },
  };
}
