// The `switchyard serve` flags that bound what a client can cost a proxy (docs/security.md).
import type { StartProxyOptions } from '../proxy/proxy.ts';
import { TenantTrust } from '../proxy/http/tenant-trust.ts';
import { UsageError } from './command.ts';

/** parseArgs options of the limit flags; all optional, defaults in proxy/http/body-reader.ts. */
export const LIMIT_FLAGS = {
  'max-body-bytes': { type: 'string' },
  'max-in-flight-body-bytes': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'body-timeout-ms': { type: 'string' },
  'body-idle-timeout-ms': { type: 'string' },
  'budget-fleet-size': { type: 'string' },
  'trust-tenant-header-from': { type: 'string' },
} as const;

/** The `--help` lines of the limit flags. */
export const LIMIT_USAGE = `  --max-body-bytes N     largest request body (default 10485760); larger gets 413
  --max-in-flight-body-bytes N
                        request bodies held at once, from first byte to answer (default 67108864);
                        past it requests get 503 with Retry-After. A body costs several times its
                        size while served: keep this well below the memory limit
  --headers-timeout-ms N   request headers must arrive within N ms (default 15000), else 408
  --body-timeout-ms N      the whole body within N ms of the headers (default 60000), else 408
  --body-idle-timeout-ms N at most N ms between two pieces of a body (default 15000), else 408
  --budget-fleet-size N    the most proxies sharing the budgets (default 1): with
                           onStateUnavailable: localCap each spends at most 1/N of what was left
                           while Redis is unreachable (the chart passes its maxReplicas)
  --trust-tenant-header-from any|none|CIDR,...
                        without client keys, who may name the tenant (and so the cache entries
                        it reads) with x-switchyard-tenant: any (default), none, or addresses
                        and ranges such as 10.0.0.0/8 (SWITCHYARD_TRUST_TENANT_HEADER_FROM)`;

type NumericFlag = Exclude<keyof typeof LIMIT_FLAGS, 'trust-tenant-header-from'>;

const FIELDS = {
  'max-body-bytes': 'maxBodyBytes',
  'max-in-flight-body-bytes': 'maxInFlightBodyBytes',
  'headers-timeout-ms': 'headersTimeoutMs',
  'body-timeout-ms': 'bodyTimeoutMs',
  'body-idle-timeout-ms': 'bodyIdleTimeoutMs',
  'budget-fleet-size': 'budgetFleetSize',
} as const satisfies Record<NumericFlag, keyof StartProxyOptions>;

/** The proxy options the given flags set; a value that is not a positive integer is a usage error. */
export function limitOptions(
  values: Partial<Record<keyof typeof LIMIT_FLAGS, string | undefined>>,
): Partial<StartProxyOptions> {
  const options: Partial<StartProxyOptions> = {};
  for (const [flag, field] of Object.entries(FIELDS) as [
    keyof typeof FIELDS,
    (typeof FIELDS)[keyof typeof FIELDS],
  ][]) {
    const value = values[flag];
    if (value === undefined) continue;
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number <= 0)
      throw new UsageError(`--${flag} must be a positive whole number, not "${value}"`);
    options[field] = number;
  }
  const trust =
    values['trust-tenant-header-from'] ?? process.env['SWITCHYARD_TRUST_TENANT_HEADER_FROM'];
  if (trust !== undefined) {
    try {
      options.tenantHeaderTrust = TenantTrust.parse(trust);
    } catch (error) {
      throw new UsageError(`--trust-tenant-header-from: ${(error as Error).message}`);
    }
  }
  return options;
}
