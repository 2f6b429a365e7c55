/**
 * User traffic for an app behind a real proxy (the e2e suite's and `kanaria demo`'s): `rps` GET requests per second to the proxy with the app's
 * Host header, a share of them with the headers and cookies of each TrafficProfile (chosen by a
 * low-discrepancy sequence, so every window of requests carries close to its share). What reached which
 * pod is counted by the pods themselves; this side only tallies the answers' statuses.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkTraffic, profileAt, profileHeaders, type TrafficProfile } from '../dataplane/traffic.ts';

export interface LoadGeneratorOptions {
  /** The proxy's entry point, e.g. http://127.0.0.1:40123 */
  url: string;
  host: string;
  rps: number;
  traffic?: TrafficProfile[];
  /** Headers every request carries (e.g. one naming the entry path, which the pods then count). */
  headers?: Record<string, string>;
  /** Stops by itself after this long; default 4 minutes. */
  maxDurationMs?: number;
  /** Requests in flight above this are not sent (counted as dropped); default 100. */
  maxInFlight?: number;
}

export interface LoadGenerator {
  /** Answers by status (0: no answer), and requests not sent because too many were in flight. */
  stats(): { sent: number; statuses: Record<string, number>; dropped: number };
  /** When answers other than 2xx arrived (epoch ms) with their status, the first 1,000 of them. */
  failures(): { at: number; status: number }[];
  stop(): Promise<void>;
}

const TICK_MS = 10;

/** The request headers of the n-th request: the profile its place in the sequence falls into. */
export function requestHeaders(n: number, host: string, profiles: TrafficProfile[]): Record<string, string> {
  return { host, ...profileHeaders(profileAt(n, profiles)) };
}

export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  const traffic = checkTraffic(options.traffic ?? []);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL('/', options.url);
  const maxInFlight = options.maxInFlight ?? 100;
  const statuses: Record<string, number> = {};
  let sent = 0;
  let dropped = 0;
  let inFlight = 0;
  const started = performance.now();
  const failures: { at: number; status: number }[] = [];
  const answered = (status: number) => {
    inFlight -= 1;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if ((status < 200 || status > 299) && failures.length < 1_000) failures.push({ at: Date.now(), status });
  };
  const send = () => {
    inFlight += 1;
    const headers = { ...options.headers, ...requestHeaders(sent++, options.host, traffic) };
    const req = request(target, { agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => answered(res.statusCode ?? 0));
      res.on('error', () => answered(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => answered(0));
    req.end();
  };
  // Paced by the clock, not by timer callbacks: a late tick sends what fell due meanwhile.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * options.rps) / 1000);
    while (sent + dropped < due) {
      if (inFlight >= maxInFlight) dropped += 1;
      else send();
    }
  }, TICK_MS);
  const deadline = setTimeout(() => clearInterval(timer), options.maxDurationMs ?? 240_000);
  return {
    stats: () => ({ sent, statuses: { ...statuses }, dropped }),
    failures: () => [...failures],
    async stop() {
      clearInterval(timer);
      clearTimeout(deadline);
      const until = Date.now() + 15_000;
      while (inFlight > 0 && Date.now() < until) await sleep(20);
      agent.destroy();
    },
  };
}
