import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * How the proxy reaches the API server: where, over which TLS, with which credentials. The proxy
 * reads two named objects, so it speaks REST itself (kube-rest.ts) instead of loading
 * @kubernetes/client-node, which costs every proxy pod ~60 MB of RSS.
 */
export interface ClusterAccess {
  /** The API server's URL, e.g. https://10.96.0.1:443 (a path, as behind Rancher, is kept). */
  server: string;
  /** TLS for the connection: the cluster's CA, a client certificate, whether to verify, SNI name. */
  tls: {
    ca?: string;
    cert?: string;
    key?: string;
    rejectUnauthorized?: boolean;
    servername?: string;
  };
  /** Headers for one request; read fresh each time, since service-account tokens rotate. */
  headers(): Promise<Record<string, string>>;
}

/** Where a pod finds its service account's token and the cluster's CA. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Resolves access like kubectl and client-node do: the kubeconfig at `path`, else the first file
 * in KUBECONFIG that exists, else ~/.kube/config, else the pod's service account (in-cluster).
 * Throws with what to fix when none of them works.
 */
export function resolveClusterAccess(
  path?: string,
  env: NodeJS.ProcessEnv = process.env,
): ClusterAccess {
  const kubeconfig = path ?? defaultKubeconfigPath(env);
  if (kubeconfig !== undefined) return fromKubeconfig(kubeconfig);
  return inCluster(SERVICE_ACCOUNT_DIR, env);
}

function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  const home = join(homedir(), '.kube', 'config');
  return [...listed, home].find((p) => existsSync(p));
}

/** Access from a pod's service account: the API server from the environment Kubernetes sets. */
export function inCluster(dir: string, env: NodeJS.ProcessEnv = process.env): ClusterAccess {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (host === undefined || host === '') {
    throw new Error(
      'no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) and not in a pod (KUBERNETES_SERVICE_HOST is not set)',
    );
  }
  const tokenFile = join(dir, 'token');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    tls: { ca: readFileSync(join(dir, 'ca.crt'), 'utf8') },
    headers: () => Promise.resolve(bearer(readFileSync(tokenFile, 'utf8'))),
  };
}

/** The parts of a kubeconfig the proxy reads. */
interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

/**
 * Access from a kubeconfig's current context: the server, its CA (file or inline data),
 * tls-server-name or insecure-skip-tls-verify, and a token, a token file or a client certificate. An exec plugin
 * (a cloud provider's login) or an auth provider is handed to @kubernetes/client-node, which is
 * loaded only then.
 */
export function fromKubeconfig(path: string): ClusterAccess {
  const where = `kubeconfig ${path}`;
  let config: Kubeconfig;
  try {
    config = (parseYaml(readFileSync(path, 'utf8')) as Kubeconfig | undefined) ?? {};
  } catch (error) {
    throw new Error(`${where}: cannot read it: ${(error as Error).message.split('\n')[0] ?? ''}`, {
      cause: error,
    });
  }
  const { cluster, user } = currentContext(config, where);
  const server = cluster['server'] as string;
  if (!URL.canParse(server)) throw new Error(`${where}: server "${server}" is not a URL`);
  const base = dirname(path);
  return {
    server: server.replace(/\/+$/, ''),
    tls: tlsOf(cluster, user, base),
    headers: userHeaders(user, base, path),
  };
}

/** The cluster and user of the current context; throws with what is missing. */
function currentContext(
  config: Kubeconfig,
  where: string,
): { cluster: Record<string, unknown>; user: Record<string, unknown> } {
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new Error(`${where}: no current-context "${contextName ?? ''}"`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (cluster === undefined || typeof cluster['server'] !== 'string') {
    throw new Error(`${where}: cluster "${context.cluster ?? ''}" has no server`);
  }
  return { cluster, user: config.users?.find((u) => u.name === context.user)?.user ?? {} };
}

function tlsOf(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  base: string,
): ClusterAccess['tls'] {
  const tls: ClusterAccess['tls'] = {};
  const ca = fileOrData(cluster, 'certificate-authority', base);
  if (ca !== undefined) tls.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  const serverName = cluster['tls-server-name'];
  if (typeof serverName === 'string' && serverName !== '') tls.servername = serverName;
  const cert = fileOrData(user, 'client-certificate', base);
  const key = fileOrData(user, 'client-key', base);
  if (cert !== undefined && key !== undefined) Object.assign(tls, { cert, key });
  return tls;
}

function userHeaders(
  user: Record<string, unknown>,
  base: string,
  path: string,
): ClusterAccess['headers'] {
  const { token, tokenFile } = user as { token?: unknown; tokenFile?: unknown };
  if (typeof token === 'string' && token !== '') return () => Promise.resolve(bearer(token));
  if (typeof tokenFile === 'string' && tokenFile !== '') {
    const resolved = resolvePath(tokenFile, base);
    return () => Promise.resolve(bearer(readFileSync(resolved, 'utf8')));
  }
  const delegated = user['exec'] !== undefined || user['auth-provider'] !== undefined;
  return delegated ? clientNodeHeaders(path) : () => Promise.resolve({});
}

/** Credentials only @kubernetes/client-node knows how to get, e.g. from an exec plugin. */
function clientNodeHeaders(path: string): ClusterAccess['headers'] {
  let kubeConfig: Promise<KubeConfig> | undefined;
  return async () => {
    kubeConfig ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const loaded = new KubeConfig();
      loaded.loadFromFile(path);
      return loaded;
    });
    const options: { headers?: Record<string, string> } = { headers: {} };
    await (await kubeConfig).applyToHTTPSOptions(options);
    return { ...options.headers };
  };
}

function fileOrData(entry: Record<string, unknown>, key: string, base: string): string | undefined {
  const data = entry[`${key}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = entry[key];
  if (typeof file === 'string' && file !== '') return readFileSync(resolvePath(file, base), 'utf8');
  return undefined;
}

/** kubeconfig paths are relative to the kubeconfig's own folder. */
function resolvePath(file: string, base: string): string {
  return isAbsolute(file) ? file : join(base, file);
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token.trim()}` };
}

const require = createRequire(import.meta.url);

/** js-yaml, loaded only to read a kubeconfig file: a pod on its service account never needs it. */
function parseYaml(text: string): unknown {
  return (require('js-yaml') as typeof JsYaml).load(text);
}
