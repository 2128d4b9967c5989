// The `switchyard serve` flags that bound what a client can cost a proxy (docs/security.md).
import type { StartProxyOptions } from '../proxy/proxy.ts';
import { UsageError } from './command.ts';

/** parseArgs options of the limit flags; all optional, defaults in proxy/http/body-reader.ts. */
export const LIMIT_FLAGS = {
  'max-body-bytes': { type: 'string' },
  'max-in-flight-body-bytes': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'body-timeout-ms': { type: 'string' },
  'body-idle-timeout-ms': { type: 'string' },
  'budget-fleet-size': { type: 'string' },
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
                           while Redis is unreachable (the chart passes its maxReplicas)`;

const FIELDS = {
  'max-body-bytes': 'maxBodyBytes',
  'max-in-flight-body-bytes': 'maxInFlightBodyBytes',
  'headers-timeout-ms': 'headersTimeoutMs',
  'body-timeout-ms': 'bodyTimeoutMs',
  'body-idle-timeout-ms': 'bodyIdleTimeoutMs',
  'budget-fleet-size': 'budgetFleetSize',
} as const satisfies Record<keyof typeof LIMIT_FLAGS, keyof StartProxyOptions>;

/** The proxy options the given flags set; a value that is not a positive integer is a usage error. */
export function limitOptions(
  values: Partial<Record<keyof typeof LIMIT_FLAGS, string | undefined>>,
): Partial<StartProxyOptions> {
  const options: Partial<Record<(typeof FIELDS)[keyof typeof FIELDS], number>> = {};
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
  return options;
}
