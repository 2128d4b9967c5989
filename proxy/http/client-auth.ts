import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { ProxyError } from '../errors/proxy-error.ts';

/** A client allowed to call the proxy; its name becomes the tenant of its requests. */
interface Client {
  name: string;
  digest: Buffer;
}

/**
 * Optional client authentication: when keys are configured, every API request must carry one as
 * `Authorization: Bearer <key>` (what OpenAI SDKs send as their api key). Keys are kept only as
 * SHA-256 digests and compared in constant time; the matching client's name is the request's
 * tenant (cache isolation, logs). Without keys the proxy is open, as inside a trusted cluster.
 */
export class ClientAuth {
  readonly #clients: Client[];

  constructor(keys: readonly { name: string; key: string }[]) {
    this.#clients = keys.map(({ name, key }) => ({ name, digest: digest(key) }));
  }

  /** Reads `name:key` or bare `key` lines (blank lines and # comments skipped). */
  static fromFile(path: string): ClientAuth {
    const keys = readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line, i) => {
        const colon = line.indexOf(':');
        return colon > 0
          ? { name: line.slice(0, colon), key: line.slice(colon + 1) }
          : { name: `client-${i + 1}`, key: line };
      });
    return new ClientAuth(keys);
  }

  /** True when keys are configured. */
  get enabled(): boolean {
    return this.#clients.length > 0;
  }

  /** The authenticated client's name (undefined when auth is off); throws 401 otherwise. */
  authenticate(headers: IncomingHttpHeaders): string | undefined {
    if (!this.enabled) return undefined;
    const header = headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (key === '')
      throw new ProxyError('UNAUTHORIZED', 'missing API key: send Authorization: Bearer <key>');
    const presented = digest(key);
    const client = this.#clients.find((c) => timingSafeEqual(c.digest, presented));
    if (client === undefined) throw new ProxyError('UNAUTHORIZED', 'invalid API key');
    return client.name;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
