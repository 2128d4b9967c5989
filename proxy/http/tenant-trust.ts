import { BlockList, isIP } from 'node:net';

/**
 * Who may name the tenant with the `x-switchyard-tenant` header when no client keys are
 * configured (with keys, the key names the tenant and the header is always replaced). The tenant
 * separates cache entries, so a client that may set the header may read another tenant's
 * cached answers: trust it only from the gateway in front of the proxies that sets it.
 */
export class TenantTrust {
  readonly #sources: BlockList | 'any' | 'none';

  private constructor(sources: BlockList | 'any' | 'none') {
    this.#sources = sources;
  }

  /** Everyone (the default, for a proxy only trusted callers can reach). */
  static readonly any = new TenantTrust('any');

  /**
   * Parses `any`, `none`, or a comma-separated list of addresses and CIDR ranges
   * (`10.0.0.0/8,fd00::/8,192.168.1.7`); throws on anything else, naming it.
   */
  static parse(spec: string): TenantTrust {
    const trimmed = spec.trim();
    if (trimmed === '' || trimmed === 'any') return TenantTrust.any;
    if (trimmed === 'none') return new TenantTrust('none');
    const list = new BlockList();
    for (const entry of trimmed.split(',').map((e) => e.trim())) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address);
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (
        family === 0 ||
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > (family === 6 ? 128 : 32)
      )
        throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8)`);
      list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
    return new TenantTrust(list);
  }

  /** True when a request from `remoteAddress` may name its tenant. */
  trusts(remoteAddress: string | undefined): boolean {
    if (this.#sources === 'any') return true;
    if (this.#sources === 'none' || remoteAddress === undefined) return false;
    // node:http reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d.
    const address =
      remoteAddress.startsWith('::ffff:') && isIP(remoteAddress.slice(7)) === 4
        ? remoteAddress.slice(7)
        : remoteAddress;
    return this.#sources.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** How it reads in the startup line. */
  get description(): string {
    if (this.#sources === 'any') return 'any client';
    if (this.#sources === 'none') return 'no client';
    return this.#sources.rules.join(', ');
  }
}
