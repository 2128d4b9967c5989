// A real Kubernetes control plane for integration tests: etcd and kube-apiserver (and, on
// request, kube-controller-manager) built from the pinned Go modules, on free loopback ports, with
// a token admin. Each call starts an independent control plane, so suites can run in parallel.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { freePorts } from './ports.ts';
import { makeTempDir, removeTempDir, runCommand, startProcess, waitUntil } from './processes.ts';
import type { CommandResult, ManagedProcess } from './processes.ts';
import { goBinary, toolEnv } from './tools.ts';

/** Options for startControlPlane. */
export interface ControlPlaneOptions {
  /**
   * Extra kube-apiserver flags. Each replaces the harness's flag of the same name, if any (so
   * `--disable-admission-plugins=` turns the ServiceAccount admission plugin back on), and is
   * otherwise appended.
   */
  readonly apiServerArgs?: readonly string[];
  /** Also start kube-controller-manager (garbage collection, namespace deletion, Deployments). */
  readonly controllerManager?: boolean;
  /** CRD manifests to apply, waiting until each is Established. */
  readonly crds?: readonly string[];
  /** How long to wait for readiness; the default suits a loaded 2-core CI machine. */
  readonly timeoutMs?: number;
}

/** Options for ControlPlane.kubectl. */
export interface KubectlOptions {
  /** Written to kubectl's standard input (for `-f -`). */
  readonly input?: string;
  /** Another kubeconfig, e.g. one from kubeconfigFor(token) to act as a service account. */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

/** Result of an HTTP request to the API server. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** A running control plane and the handles a test needs to talk to it. */
export interface ControlPlane {
  /** `https://127.0.0.1:PORT` of kube-apiserver. */
  readonly server: string;
  /** Bearer token of an admin in `system:masters`. */
  readonly token: string;
  /** CA bundle that verifies the API server's self-generated serving certificate. */
  readonly caFile: string;
  /** Kubeconfig with the admin token, the CA and namespace `default`. */
  readonly kubeconfigPath: string;
  /** Temp folder holding data, keys, kubeconfigs and logs (removed by stop). */
  readonly dir: string;
  /** Log files by component, for diagnosing a failing test. */
  readonly logs: Readonly<Record<string, string>>;
  /**
   * Environment for user-like commands: KUBECONFIG set, pinned kubectl and helm first on PATH,
   * kubectl's cache and helm's state inside this control plane's folder.
   */
  readonly env: NodeJS.ProcessEnv;
  /** Runs the pinned kubectl against this control plane (never throws on a non-zero exit). */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<CommandResult>;
  /** Runs kubectl and throws, with its output, unless it exits 0; returns stdout. */
  kubectlOk(args: readonly string[], options?: KubectlOptions): Promise<string>;
  /** Sends an HTTP request with the admin token (or `token`) and returns status and body. */
  request(method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse>;
  /** Applies CRD manifests (server-side) and waits until every CRD in them is Established. */
  applyCrds(paths: readonly string[]): Promise<void>;
  /** Writes a kubeconfig that authenticates with `token` (e.g. a service-account token). */
  kubeconfigFor(token: string, name?: string): string;
  /** Starts kube-controller-manager (idempotent) and waits until its controllers are running. */
  startControllerManager(): Promise<void>;
  /** Kills every process of this control plane and removes its temp folder. */
  stop(): Promise<void>;
}

interface Files {
  readonly dir: string;
  readonly tokenFile: string;
  readonly saPrivateKey: string;
  readonly saPublicKey: string;
  readonly certDir: string;
  readonly caFile: string;
}

function writeFiles(dir: string, token: string): Files {
  const certDir = join(dir, 'pki');
  mkdirSync(certDir);
  mkdirSync(join(dir, 'logs'));
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  // ECDSA rather than RSA: generating it takes microseconds, and ES256 service-account tokens
  // are accepted by every component.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const saPrivateKey = join(dir, 'sa.key');
  const saPublicKey = join(dir, 'sa.pub');
  writeFileSync(saPrivateKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(saPublicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  // kube-apiserver writes apiserver.crt (its leaf followed by the CA that signed it) here.
  return {
    dir,
    tokenFile,
    saPrivateKey,
    saPublicKey,
    certDir,
    caFile: join(certDir, 'apiserver.crt'),
  };
}

function kubeconfigJson(server: string, caFile: string, token: string): string {
  // JSON is valid YAML, so no YAML library is needed for a kubeconfig.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'switchyard-test', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'user', user: { token } }],
    contexts: [
      {
        name: 'switchyard-test',
        context: { cluster: 'switchyard-test', user: 'user', namespace: 'default' },
      },
    ],
    'current-context': 'switchyard-test',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function startEtcd(files: Files, clientPort: number, peerPort: number): ManagedProcess {
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${clientPort}`;
  return startProcess(
    'etcd',
    goBinary('etcd'),
    [
      '--name=default',
      `--data-dir=${join(files.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      // Durability is pointless for a throwaway store, and fsync dominates etcd latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    { logFile: join(files.dir, 'logs', 'etcd.log') },
  );
}

function flagName(arg: string): string {
  return arg.split('=')[0] ?? arg;
}

function startApiServer(
  files: Files,
  etcdPort: number,
  port: number,
  extraArgs: readonly string[],
): ManagedProcess {
  // A list flag given twice appends; replacing the harness's own lets a caller undo it.
  const replaced = new Set(extraArgs.map(flagName));
  return startProcess(
    'kube-apiserver',
    goBinary('kube-apiserver'),
    [
      ...[
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        `--cert-dir=${files.certDir}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        '--advertise-address=127.0.0.1',
        // The endpoint reconciler refuses a loopback advertise address; nothing here needs it.
        '--endpoint-reconciler-type=none',
        '--service-cluster-ip-range=10.0.0.0/24',
        // RBAC (not AlwaysAllow) so least-privilege tests mean something; it also lets anonymous
        // clients read /readyz.
        '--authorization-mode=RBAC',
        `--token-auth-file=${files.tokenFile}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-signing-key-file=${files.saPrivateKey}`,
        `--service-account-key-file=${files.saPublicKey}`,
        '--allow-privileged=true',
        // Pods would wait for service-account tokens from a controller that may not be running.
        '--disable-admission-plugins=ServiceAccount',
        '--enable-priority-and-fairness=false',
      ].filter((arg) => !replaced.has(flagName(arg))),
      ...extraArgs,
    ],
    { logFile: join(files.dir, 'logs', 'kube-apiserver.log') },
  );
}

function apiRequest(
  server: string,
  ca: Buffer,
  options: { method: string; path: string; token?: string; body?: unknown },
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined && options.token !== '')
      headers['authorization'] = `Bearer ${options.token}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = httpsRequest(
      new URL(options.path, server),
      { method: options.method, ca, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method} ${options.path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function readCa(caFile: string): Buffer | undefined {
  try {
    const pem = readFileSync(caFile);
    // The leaf comes first and the CA second: a file read halfway through writing would hold no
    // trust anchor, and caching that would fail every later request.
    return pem.toString('latin1').split('-----END CERTIFICATE-----').length > 2 ? pem : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts etcd and kube-apiserver on free loopback ports and resolves once the API serves
 * requests (and, when asked, once CRDs are Established and the controller manager runs).
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const dir = makeTempDir('control-plane');
  const token = randomBytes(24).toString('hex');
  const files = writeFiles(dir, token);
  const [etcdClientPort, etcdPeerPort, apiPort, kcmPort] = await freePorts(4);
  const server = `https://127.0.0.1:${apiPort!}`;
  const processes: ManagedProcess[] = [];
  const logs: Record<string, string> = {};
  const track = (started: ManagedProcess): ManagedProcess => {
    processes.push(started);
    logs[started.name] = started.logFile;
    return started;
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(processes.map((started) => started.stop()));
  };

  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigJson(server, files.caFile, token), { mode: 0o600 });
  // Per-control-plane caches and helm state, so parallel suites and earlier runs never mix.
  const env = toolEnv({
    KUBECONFIG: kubeconfigPath,
    KUBECACHEDIR: join(dir, 'kube-cache'),
    HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
    HELM_DATA_HOME: join(dir, 'helm', 'data'),
  });
  let ca: Buffer | undefined;

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    asToken: string = token,
  ): Promise<ApiResponse> => {
    ca ??= readCa(files.caFile);
    if (ca === undefined) throw new Error(`${files.caFile} is not written yet`);
    return apiRequest(server, ca, { method, path, token: asToken, body });
  };

  const kubectl = (args: readonly string[], opts: KubectlOptions = {}): Promise<CommandResult> =>
    runCommand(goBinary('kubectl'), args, {
      env: opts.kubeconfig === undefined ? env : { ...env, KUBECONFIG: opts.kubeconfig },
      ...(opts.input === undefined ? {} : { input: opts.input }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });

  const kubectlOk = async (args: readonly string[], opts: KubectlOptions = {}): Promise<string> => {
    const result = await kubectl(args, opts);
    if (result.code !== 0) {
      throw new Error(
        `kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
      );
    }
    return result.stdout;
  };

  const applyCrds = async (paths: readonly string[]): Promise<void> => {
    if (paths.length === 0) return;
    // Server-side: client-side apply stores the whole object in an annotation, which large CRDs
    // overflow.
    const applied = await kubectlOk([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-o',
      'name',
      ...paths.flatMap((path) => ['-f', path]),
    ]);
    const names = applied
      .split('\n')
      .filter((line) => line.startsWith('customresourcedefinition.apiextensions.k8s.io/'));
    if (names.length === 0) return;
    await kubectlOk([
      'wait',
      '--for=condition=Established',
      `--timeout=${Math.ceil(timeoutMs / 1000)}s`,
      ...names,
    ]);
  };

  const kubeconfigFor = (userToken: string, name = 'user'): string => {
    const path = join(dir, `kubeconfig-${name}-${randomBytes(4).toString('hex')}`);
    writeFileSync(path, kubeconfigJson(server, files.caFile, userToken), { mode: 0o600 });
    return path;
  };

  let controllerManager: Promise<void> | undefined;
  const startControllerManager = (): Promise<void> => {
    controllerManager ??= (async () => {
      const kcm = track(
        startProcess(
          'kube-controller-manager',
          goBinary('kube-controller-manager'),
          [
            `--kubeconfig=${kubeconfigPath}`,
            `--authentication-kubeconfig=${kubeconfigPath}`,
            `--authorization-kubeconfig=${kubeconfigPath}`,
            '--controllers=*',
            '--use-service-account-credentials=true',
            `--service-account-private-key-file=${files.saPrivateKey}`,
            `--root-ca-file=${files.caFile}`,
            '--leader-elect=false',
            '--bind-address=127.0.0.1',
            `--secure-port=${kcmPort!}`,
            `--cert-dir=${join(dir, 'kcm-pki')}`,
          ],
          { logFile: join(dir, 'logs', 'kube-controller-manager.log') },
        ),
      );
      // The root-CA publisher writes this ConfigMap into every namespace once controllers run.
      await waitUntil(
        'kube-controller-manager to publish kube-root-ca.crt',
        async () => {
          const res = await request(
            'GET',
            '/api/v1/namespaces/default/configmaps/kube-root-ca.crt',
          );
          return res.status === 200 ? true : undefined;
        },
        { timeoutMs, intervalMs: 100, processes: [kcm] },
      );
    })();
    return controllerManager;
  };

  try {
    const etcd = track(startEtcd(files, etcdClientPort!, etcdPeerPort!));
    const apiServer = track(
      startApiServer(files, etcdClientPort!, apiPort!, options.apiServerArgs ?? []),
    );
    const watched = [etcd, apiServer];
    await waitUntil(
      'kube-apiserver /readyz',
      async () =>
        (await request('GET', '/readyz', undefined, '')).status === 200 ? true : undefined,
      { timeoutMs, intervalMs: 50, processes: watched },
    );
    await waitUntil(
      'namespace default',
      async () =>
        (await request('GET', '/api/v1/namespaces/default')).status === 200 ? true : undefined,
      { timeoutMs, intervalMs: 50, processes: watched },
    );
    if (options.controllerManager === true) await startControllerManager();
    await applyCrds(options.crds ?? []);
  } catch (error) {
    await stopAll();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `control plane failed to start (logs in ${dir}/logs; SWITCHYARD_KEEP_TEST_DIRS=1 keeps them): ${message}`,
      {
        cause: error,
      },
    );
  }

  let stopped = false;
  return {
    server,
    token,
    caFile: files.caFile,
    kubeconfigPath,
    dir,
    logs,
    env,
    kubectl,
    kubectlOk,
    request,
    applyCrds,
    kubeconfigFor,
    startControllerManager,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      removeTempDir(dir);
    },
  };
}
