import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LogLevel } from './log/logger.ts';
import { startOperator, type OperatorOptions } from './main.ts';
import { PrerequisiteError } from './preflight/preflight.ts';

/** The `switchyard operator --help` text. */
export const usage = `Usage: switchyard operator [options]

Runs the Switchyard operator: watches ModelProviders, RoutePolicies and the Secrets they
reference, publishes the RouterConfig (ConfigMap switchyard-config) and the referenced API keys
(Secret switchyard-credentials) to its namespace, and writes each object's status. Replicas
elect a leader through the Lease switchyard-operator; only the leader writes.

Options:
  --namespace NS          where to publish and hold the Lease (default: POD_NAMESPACE, the
                          in-cluster namespace, else "switchyard-system")
  --watch-namespace NS    watch only this namespace; repeat for several (default: all)
  --create-namespace      create the namespace when it does not exist (else: exit with the fix)
  --kubeconfig PATH       kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --port N                /healthz, /readyz and /metrics (default 8081)
  --host ADDR             listen address (default 0.0.0.0)
  --lease-duration S      seconds (default 15); --renew-deadline S (10); --retry-period S (2)
  --redis URL             the Redis the proxy fleet shares (default: SWITCHYARD_REDIS_URL): with
                          it, status.live shows health, judged quality and spend, and demotions
                          become Events; without, status has conditions only
  --log-level LEVEL       debug, info, warn, error or silent (default info)
  -h, --help              this text

Before starting it checks its prerequisites: the API server accepts the credentials, the CRDs are
installed, the namespace exists, and RBAC grants what it uses (deploy/rbac/operator.yaml). A
missing one is one line on stderr naming the fix, and exit status 1.
`;

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** Where the command writes; one call is one line (the CLI's CommandIo shape). */
export interface OperatorCommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Parses `switchyard operator` arguments into OperatorOptions; throws with a usage message. */
export function operatorOptionsFrom(args: string[], env: NodeJS.ProcessEnv): OperatorOptions {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      namespace: { type: 'string' },
      'create-namespace': { type: 'boolean' },
      'watch-namespace': { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'lease-duration': { type: 'string' },
      'renew-deadline': { type: 'string' },
      'retry-period': { type: 'string' },
      'log-level': { type: 'string' },
      redis: { type: 'string' },
    },
  });
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const seconds = (name: string, value: string | undefined): number | undefined =>
    value === undefined ? undefined : positive(name, value) * 1000;
  const options: OperatorOptions = {
    namespace: values.namespace ?? defaultNamespace(env),
    port: values.port === undefined ? 8081 : positive('--port', values.port, true),
    logLevel: logLevel as LogLevel | 'silent',
  };
  const redisUrl = values.redis ?? env['SWITCHYARD_REDIS_URL'];
  if (redisUrl !== undefined && redisUrl !== '') options.redisUrl = redisUrl;
  const watch = values['watch-namespace'];
  if (watch !== undefined) options.watchNamespaces = watch;
  if (values.kubeconfig !== undefined) options.kubeconfig = values.kubeconfig;
  if (values['create-namespace'] === true) options.createNamespace = true;
  if (values.host !== undefined) options.host = values.host;
  const lease = seconds('--lease-duration', values['lease-duration']);
  const renew = seconds('--renew-deadline', values['renew-deadline']);
  const retry = seconds('--retry-period', values['retry-period']);
  if (lease !== undefined) options.leaseDurationMs = lease;
  if (renew !== undefined) options.renewDeadlineMs = renew;
  if (retry !== undefined) options.retryPeriodMs = retry;
  return options;
}

/**
 * The `switchyard operator` command: runs until SIGTERM or SIGINT, then stops cleanly (a leader
 * releases its Lease). Resolves to the exit code: 0 after a clean stop, 2 on bad arguments,
 * 1 when the operator could not start.
 */
export async function run(args: string[], io: OperatorCommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(usage.trimEnd());
    return 0;
  }
  let options: OperatorOptions;
  try {
    options = operatorOptionsFrom(args, process.env);
  } catch (error) {
    io.stderr(`switchyard operator: ${(error as Error).message} (see --help)`);
    return 2;
  }
  let operator;
  try {
    operator = await startOperator(options);
  } catch (error) {
    // A missing prerequisite's message already says what to do; anything else is unexpected.
    const what = error instanceof PrerequisiteError ? '' : 'could not start: ';
    io.stderr(`switchyard operator: ${what}${(error as Error).message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await operator.stop();
  return 0;
}

/** Runs `switchyard operator` with `argv` (the arguments after `operator`), writing to the console. */
export function runOperatorCommand(argv: string[]): Promise<number> {
  return run(argv, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}

function positive(name: string, value: string, allowZero = false): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return number;
}

function defaultNamespace(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['POD_NAMESPACE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim();
  } catch {
    return 'switchyard-system';
  }
}
