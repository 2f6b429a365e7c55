import { request } from 'node:https';

export interface ApiResponse {
  status: number;
  body: string;
}

/** A minimal HTTPS call to the local API server (self-signed certificate, bearer token). */
export function apiCall(
  server: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, server),
      {
        method,
        rejectUnauthorized: false,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
