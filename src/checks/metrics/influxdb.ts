import {
  checkAddress,
  excerpt,
  expectOk,
  joinUrl,
  jsonField,
  malformed,
  noValues,
  queryError,
  send,
  settingsOf,
  toNumber,
  type HttpSettings,
} from './http.ts';
import type { MetricProvider, ProviderConfig } from './provider.ts';

export const INFLUXDB_ONLINE_QUERY = 'buckets() |> limit(n: 1)';

/** Splits CSV text into rows of fields (RFC 4180 quoting); a blank line is an empty row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let rowHasContent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      rowHasContent = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      rowHasContent = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(rowHasContent || field !== '' ? row : []);
      row = [];
      field = '';
      rowHasContent = false;
    } else {
      field += c;
      rowHasContent = true;
    }
  }
  if (rowHasContent || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * The first `_value` of a Flux CSV answer (annotated or not). Tables are separated by blank
 * lines, each with its own header row; `#…` annotation rows are skipped. An `error` table
 * (a failure after the answer started) is reported as EHTTP.
 */
export function influxValue(settings: HttpSettings, csv: string): number {
  let header: string[] | undefined;
  for (const row of parseCsv(csv)) {
    if (row.length === 0) {
      header = undefined;
      continue;
    }
    if (row[0].startsWith('#')) continue;
    if (!header) {
      if (!row.some((col) => col === 'table' || col === '_value' || col === 'error')) {
        throw malformed(settings, `not a Flux CSV table: ${excerpt(row.join(','))}`);
      }
      header = row;
      continue;
    }
    const errorAt = header.indexOf('error');
    if (errorAt >= 0 && !header.includes('_value')) {
      throw queryError(settings, row[errorAt] ?? '');
    }
    const at = header.indexOf('_value');
    if (at < 0) throw malformed(settings, `no _value column in ${excerpt(header.join(','))}`);
    const raw = row[at] ?? '';
    if (raw === '') throw noValues('the first _value is null');
    const value = toNumber(raw);
    if (value === undefined) throw malformed(settings, `_value ${JSON.stringify(raw)} is not a number`);
    if (Number.isNaN(value)) throw noValues('the first _value is NaN');
    return value;
  }
  throw noValues('the query returned no rows');
}

/**
 * InfluxDB v2 query API: POST <address>/api/v2/query[?org=] with the Flux text as body,
 * `Authorization: Token <token>`, `Accept: application/csv`, `Content-Type: application/vnd.flux`.
 */
export function influxdbProvider(config: ProviderConfig): MetricProvider {
  checkAddress(config.type, config.address);
  const creds = config.credentials ?? {};
  const auth: Record<string, string> = {};
  if (creds.token) auth.authorization = `Token ${creds.token.trim()}`;
  const settings = settingsOf('influxdb', config, auth);
  const url = joinUrl(config.address, '/api/v2/query');
  const org = creds.org?.trim();
  const searchParams: Record<string, string> | undefined = org ? { org } : undefined;

  async function post(flux: string, signal?: AbortSignal): Promise<string> {
    const res = await send(settings, {
      method: 'POST',
      url,
      searchParams,
      headers: { accept: 'application/csv', 'content-type': 'application/vnd.flux' },
      body: flux,
      signal,
    });
    expectOk(settings, res, (b) => jsonField(b, 'message'));
    return res.body;
  }

  return {
    async runQuery(query, signal) {
      return influxValue(settings, await post(query, signal));
    },
    async isOnline(signal) {
      await post(INFLUXDB_ONLINE_QUERY, signal);
    },
  };
}
