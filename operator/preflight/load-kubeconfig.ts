import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { PrerequisiteError } from './prerequisite-error.ts';

/**
 * Loads credentials as kubectl finds them: the given file, else KUBECONFIG, ~/.kube/config or
 * the pod's service account. Without any of them client-node would quietly fall back to
 * http://localhost:8080, and an unreadable file would surface as a bare ENOENT; both become one
 * line that says where it looked.
 */
export function loadKubeConfigFrom(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  const kubeConfig = new KubeConfig();
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  const home = join(homedir(), '.kube', 'config');
  const inPod = (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '';
  if (path === undefined && listed.length === 0 && !existsSync(home) && !inPod) {
    throw new PrerequisiteError(
      `no kubeconfig: none given with --kubeconfig or KUBECONFIG, no ${home}, and not in a pod (KUBERNETES_SERVICE_HOST is not set); point --kubeconfig at one`,
    );
  }
  const source = path ?? (listed.length > 0 ? listed.join(delimiter) : inPod ? 'the pod' : home);
  try {
    if (path === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(path);
  } catch (error) {
    const failure = error as { code?: unknown; message?: unknown };
    const why = typeof failure.code === 'string' ? failure.code : String(failure.message);
    throw new PrerequisiteError(
      `cannot load the kubeconfig ${source} (${why}); check --kubeconfig or KUBECONFIG`,
    );
  }
  return kubeConfig;
}
