/**
 * Which requests of a generated stream carry which headers and cookies: each request's place in a
 * low-discrepancy sequence picks its profile, so every window of requests carries close to each share.
 */

/** A share of the generated requests that carries these headers/cookies (e.g. `x-canary: insider`). */
export interface TrafficProfile {
  /** 0..1; the shares of all profiles add up to at most 1, the rest are plain requests. */
  share: number;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

/** The golden ratio's fractional part: its multiples spread over [0, 1) as evenly as any sequence. */
const GOLDEN = 0.6180339887498949;

/** The profiles when their shares are valid; a RangeError that says what is wrong otherwise. */
export function checkTraffic(traffic: TrafficProfile[]): TrafficProfile[] {
  const total = traffic.reduce((sum, p) => sum + p.share, 0);
  if (traffic.some((p) => !(p.share >= 0)) || total > 1 + 1e-9) {
    throw new RangeError('traffic profile shares must be ≥ 0 and add up to at most 1');
  }
  return traffic;
}

/** The profile of the n-th request, or undefined for a plain one. */
export function profileAt(n: number, profiles: TrafficProfile[]): TrafficProfile | undefined {
  const u = (n * GOLDEN) % 1;
  let acc = 0;
  return profiles.find((p) => (acc += p.share) > u);
}

/** A profile's headers, its cookies joined into one `cookie` header. */
export function profileHeaders(profile: TrafficProfile | undefined): Record<string, string> {
  const cookie = Object.entries(profile?.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return { ...profile?.headers, ...(cookie ? { cookie } : {}) };
}
