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

  /**
   * Reads a keys file: one client per line as `NAME:KEY`, split at the first colon (so a key may
   * contain colons, and a bare key containing one needs a name in front), or a bare `KEY` without
   * a colon (named `client-N`). Blank lines and `#` comments are skipped. A file that lists no
   * key, a name that is not one (letters, digits, `.`, `_`, `-`, up to 63), an empty key or a key
   * listed twice is an error: none of them may silently leave the API open or mis-attribute a
   * tenant. Errors name the line, never the key.
   */
  static fromFile(path: string): ClientAuth {
    return ClientAuth.fromText(readFileSync(path, 'utf8'), path);
  }

  /** Parses the text of a keys file (see `fromFile`); `source` names it in errors. */
  static fromText(text: string, source: string): ClientAuth {
    const keys: { name: string; key: string }[] = [];
    const seen = new Set<string>();
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const where = `${source} line ${i + 1}`;
      const colon = line.indexOf(':');
      const name = colon === -1 ? `client-${keys.length + 1}` : line.slice(0, colon).trim();
      const key = colon === -1 ? line : line.slice(colon + 1).trim();
      if (!CLIENT_NAME.test(name))
        throw new Error(
          `${where}: "${name.slice(0, 64)}" is not a client name (letters, digits, . _ -, up to 63); write NAME:KEY (a key may contain ":")`,
        );
      if (key === '') throw new Error(`${where}: the key after "${name}:" is empty`);
      if (seen.has(key)) throw new Error(`${where}: this key is already listed on an earlier line`);
      seen.add(key);
      keys.push({ name, key });
    });
    if (keys.length === 0)
      throw new Error(
        `${source} lists no keys: refusing to start with client authentication off; add NAME:KEY lines, or leave the keys file out to run an open API`,
      );
    return new ClientAuth(keys);
  }

  /** How many keys and distinct clients are configured (for the startup line). */
  get summary(): { keys: number; clients: number } {
    return {
      keys: this.#clients.length,
      clients: new Set(this.#clients.map((c) => c.name)).size,
    };
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

/** What a client name (and so a tenant) looks like. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
