import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHook } from '../../../src/checks/webhooks.ts';
import { runMetricCheck } from '../../../src/checks/metrics/evaluate.ts';
import { createProvider, PROVIDER_TYPES } from '../../../src/checks/metrics/provider.ts';

/**
 * Generated remote answers from a real HTTP server on 127.0.0.1: status codes, invalid or truncated
 * JSON, NaN/±Inf and wrong types where numbers belong, empty and odd bodies, connections cut. Every
 * webhook and metric provider must turn each one into a check result (a value or a failure with a
 * message), never a throw, an unhandled rejection or a non-finite value that passes.
 * KANARIA_FUZZ_ANSWERS sets the number (CI: 1,800).
 */
const RUNS = Number(process.env.KANARIA_FUZZ_ANSWERS ?? 1800);

interface Answer {
  status: number;
  contentType: string;
  body: string;
  cut: boolean;
}

const numberish = fc.oneof(
  fc.constantFrom('NaN', '+Inf', '-Inf', 'Infinity', '1e309', '', 'abc', '12', '0.5', '-3'),
  fc.double().map(String),
);
const jsonValue = fc.oneof(
  numberish,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
  fc.boolean(),
  fc.array(numberish, { maxLength: 3 }),
);
/** Bodies shaped like each provider's answer, with values of every type where numbers belong. */
const bodyArb = fc.oneof(
  jsonValue.map((v) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, v] }] },
    }),
  ),
  jsonValue.map((v) => JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, v] } })),
  jsonValue.map((v) => JSON.stringify({ status: 'ok', series: [{ pointlist: [[1, v]] }] })),
  jsonValue.map((v) =>
    JSON.stringify({ data: { actor: { account: { nrql: { results: [{ value: v }] } } } } }),
  ),
  jsonValue.map((v) => JSON.stringify({ results: [{ value: v }] })),
  jsonValue.map((v) => JSON.stringify([{ target: 'x', datapoints: [[v, 1]] }])),
  jsonValue.map((v) => `#datatype,string,long,double\n,result,table,_value\n,_result,0,${String(v)}\n`),
  fc.constantFrom(
    '',
    '{',
    '{"status":"success","data":',
    'null',
    '[]',
    '"text"',
    '<html>oops</html>',
    '\u0000\u00ff',
  ),
  fc.json({ maxDepth: 3 }),
);
const answerArb: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 200, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503),
  contentType: fc.constantFrom('application/json', 'text/plain', 'text/csv', ''),
  body: bodyArb,
  cut: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

describe('generated remote answers', () => {
  let server: Server;
  let base = '';
  const answers: Answer[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const id = Number(
        req.headers['x-fuzz-id'] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('id'),
      );
      const answer = answers[id];
      req.resume();
      if (!answer) {
        res.writeHead(500).end('no answer');
        return;
      }
      if (answer.cut) {
        res.writeHead(answer.status, { 'content-type': answer.contentType || 'application/json' });
        res.write(answer.body.slice(0, Math.floor(answer.body.length / 2)));
        res.socket?.destroy();
        return;
      }
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it(`${RUNS} answers become check results, never exceptions`, async () => {
    answers.push(...fc.sample(answerArb, { numRuns: RUNS, seed: 4242 }));
    const kinds = ['webhook', ...PROVIDER_TYPES] as const;
    const tally = { results: 0, passed: 0, failed: 0, threw: 0, badResults: 0 };
    const credentials = {
      datadog_api_key: 'k',
      datadog_application_key: 'a',
      newrelic_account_id: '1',
      newrelic_query_key: 'q',
      username: 'u',
      password: 'p',
      token: 't',
    };
    const one = async (id: number) => {
      const kind = kinds[id % kinds.length];
      try {
        const result =
          kind === 'webhook'
            ? await callHook(
                { name: 'fuzz', type: 'rollout', url: `${base}/hook?id=${id}`, timeout: '2s' },
                { name: 'app', namespace: 'fuzz', phase: 'Progressing', checksum: 'x' },
              )
            : await runMetricCheck({
                metric: { name: 'fuzz', templateRef: { name: 't' }, thresholdRange: { min: 0, max: 1e300 } },
                canary: { name: 'app', namespace: 'fuzz', target: 'app' },
                templateQuery: kind === 'influxdb' ? 'from(bucket:"x")' : 'sum(x)',
                provider: () =>
                  createProvider(
                    {
                      type: kind,
                      address: base,
                      headers: { 'x-fuzz-id': String(id) },
                      credentials,
                      timeoutMs: 2000,
                    },
                    { now: () => Date.parse('2026-12-01T00:00:00Z'), interval: '1m' },
                  ),
              });
        tally.results++;
        const value = (result as { value?: number }).value;
        const sane =
          typeof result.message === 'string' &&
          result.message.length > 0 &&
          (!result.ok || kind === 'webhook' || Number.isFinite(value));
        if (!sane) tally.badResults++;
        if (result.ok) tally.passed++;
        else tally.failed++;
      } catch {
        tally.threw++;
      }
    };
    for (let i = 0; i < answers.length; i += 24)
      await Promise.all(answers.slice(i, i + 24).map((_, j) => one(i + j)));
    console.log(
      `answer fuzz: ${answers.length} answers over webhook + ${PROVIDER_TYPES.length} providers: ${tally.results} results (${tally.passed} passed, ${tally.failed} failed checks), ${tally.threw} exceptions, ${tally.badResults} results without a message or with a non-finite passing value`,
    );
    expect(tally.threw + tally.badResults).toBe(0);
    expect(tally.passed).toBeGreaterThan(0);
    expect(tally.failed).toBeGreaterThan(0);
  }, 600_000);
});
