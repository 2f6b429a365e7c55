import type { IncomingMessage } from 'node:http';

/** The request body was larger than the cap (answer 413). */
export class BodyTooLarge extends Error {}

/** Reads a request body of at most `max` bytes; a larger one rejects with BodyTooLarge and is dropped. */
export function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
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
