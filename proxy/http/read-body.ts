import type { IncomingMessage } from 'node:http';
import { ProxyError } from './proxy-error.ts';

/**
 * Reads a request body up to `limitBytes`. Stops reading (and answers 413) as soon as the limit
 * is crossed, so a huge upload costs us no memory beyond the limit.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new ProxyError(
      'BODY_TOO_LARGE',
      `request body is ${declared} bytes; the limit is ${limitBytes}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      throw new ProxyError(
        'BODY_TOO_LARGE',
        `request body exceeds the limit of ${limitBytes} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
