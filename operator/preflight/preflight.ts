import { API_GROUP } from '../../core/api/common.ts';
import { isApiStatus, KubeApiError } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../log/logger.ts';
import { FIELD_MANAGER, LEASE_NAME } from '../publish/output-names.ts';
import { CRD_VERSION } from '../watch/sources.ts';
import { PrerequisiteError } from './prerequisite-error.ts';
import { describeAccess, requiredAccess, type Access } from './required-access.ts';

export { PrerequisiteError };

/** What the preflight checks. */
export interface PreflightOptions {
  client: KubeClient;
  /** The operator's namespace. */
  namespace: string;
  watchNamespaces: readonly string[] | undefined;
  /** Create the operator's namespace when it does not exist, instead of failing. */
  createNamespace: boolean;
  log: Logger;
}

const PLURALS = ['modelproviders', 'routepolicies'] as const;
const TIMEOUT_MS = 10_000;

/**
 * Checks, before anything starts, what the operator cannot run without — the API server answers
 * with these credentials, the CRDs are installed, its namespace exists (or is created), and RBAC
 * grants every permission it uses — so that a missing piece is one clear line and an exit,
 * instead of informers and leader election retrying forever. Throws PrerequisiteError.
 */
export async function preflight(options: PreflightOptions): Promise<void> {
  await checkCrds(options.client);
  await ensureNamespace(options);
  await checkAccess(options);
}

async function checkCrds(client: KubeClient): Promise<void> {
  const install =
    'install them with: kubectl apply --server-side -f crds/ (the Helm chart does too)';
  let list: { resources?: { name: string }[] };
  try {
    list = await client.request({
      method: 'GET',
      path: `/apis/${API_GROUP}/${CRD_VERSION}`,
      timeoutMs: TIMEOUT_MS,
    });
  } catch (error) {
    if (isApiStatus(error, 404)) {
      throw new PrerequisiteError(
        `the Switchyard CRDs are not installed (the API server does not serve ${API_GROUP}/${CRD_VERSION}); ${install}`,
      );
    }
    throw reachError(client, error);
  }
  const served = new Set((list.resources ?? []).map((r) => r.name));
  const missing = PLURALS.filter((plural) => !served.has(plural));
  if (missing.length > 0) {
    throw new PrerequisiteError(
      `the CRD of ${missing.map((p) => `${p}.${API_GROUP}`).join(' and ')} is not installed; ${install}`,
    );
  }
}

/** A failure to talk to the API server at all, worded for the person holding the kubeconfig. */
function reachError(client: KubeClient, error: unknown): Error {
  if (isApiStatus(error, 401)) {
    return new PrerequisiteError(
      `the API server at ${client.server} refused the credentials (401 Unauthorized); renew the token or certificate in the kubeconfig (--kubeconfig, KUBECONFIG)`,
    );
  }
  if (error instanceof KubeApiError) return error;
  // undici puts the socket's error code (ECONNREFUSED, ENOTFOUND, CERT_…) on the error or its cause.
  const failure = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = [failure.code, failure.cause?.code].find((c) => typeof c === 'string' && c !== '');
  const why = typeof code === 'string' ? code : String(failure.message);
  return new PrerequisiteError(
    `cannot reach the API server at ${client.server} (${why}); check the kubeconfig (--kubeconfig, KUBECONFIG) or the network`,
  );
}

async function ensureNamespace(options: PreflightOptions): Promise<void> {
  const { client, namespace, log } = options;
  const exists = await namespaceExists(client, namespace);
  if (exists === true) return;
  if (!options.createNamespace) {
    if (exists === undefined) return; // the access review names what these credentials lack
    throw new PrerequisiteError(
      `namespace ${namespace} does not exist; create it (kubectl create namespace ${namespace}), pass --create-namespace, or choose another with --namespace`,
    );
  }
  try {
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      timeoutMs: TIMEOUT_MS,
    });
    log.info('created the namespace', { namespace });
  } catch (error) {
    if (isApiStatus(error, 409)) return; // it exists: created meanwhile, or hidden from us
    if (!isApiStatus(error, 403)) throw error;
    if (exists === undefined) return; // as above: the access review speaks
    throw new PrerequisiteError(
      `namespace ${namespace} does not exist, and these credentials may not create it (--create-namespace); create it as a cluster admin: kubectl create namespace ${namespace}`,
    );
  }
}

/**
 * Whether the namespace exists: true, false, or undefined when these credentials cannot tell
 * (then the access review below names what is missing). The operator may not read namespaces, so
 * when that is forbidden a dry-run apply of its Lease asks instead: admission refuses a write into
 * a namespace that does not exist.
 */
async function namespaceExists(
  client: KubeClient,
  namespace: string,
): Promise<boolean | undefined> {
  try {
    await client.request({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}`,
      timeoutMs: TIMEOUT_MS,
    });
    return true;
  } catch (error) {
    if (isApiStatus(error, 404)) return false;
    if (!isApiStatus(error, 403)) throw error;
  }
  try {
    await client.request({
      method: 'PATCH',
      path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${LEASE_NAME}`,
      query: { dryRun: 'All', fieldManager: `${FIELD_MANAGER}/preflight` },
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: LEASE_NAME, namespace },
      },
      contentType: CONTENT_TYPE.apply,
      timeoutMs: TIMEOUT_MS,
    });
    return true;
  } catch (error) {
    if (isApiStatus(error, 404)) return false;
    if (isApiStatus(error, 403, 409)) return undefined;
    throw error;
  }
}

async function checkAccess(options: PreflightOptions): Promise<void> {
  const { client, namespace, watchNamespaces, log } = options;
  const needed = requiredAccess(namespace, watchNamespaces);
  let allowed: boolean[];
  try {
    allowed = await Promise.all(needed.map((access) => mayDo(client, access)));
  } catch (error) {
    // Every authenticated user may ask by default (system:basic-user); a cluster that took that
    // away gets no preflight of RBAC, and the operator reports denials as it meets them.
    if (!isApiStatus(error, 403)) throw error;
    log.warn('cannot check RBAC: SelfSubjectAccessReview is forbidden', {});
    return;
  }
  const denied = needed.filter((_, index) => !allowed[index]);
  const required = denied.filter((access) => access.optional !== true);
  if (required.length > 0) {
    const who = await whoAmI(client);
    throw new PrerequisiteError(
      `${who ?? 'the operator'} lacks permissions it needs: ${describeAccess(required)}; grant them with deploy/rbac/operator.yaml (namespace ${namespace} for its own objects) or install with the Helm chart`,
    );
  }
  if (denied.length > 0) {
    log.warn('the operator may not record Events; status is still written', {
      denied: describeAccess(denied),
    });
  }
}

async function mayDo(client: KubeClient, access: Access): Promise<boolean> {
  const { optional: _optional, ...resourceAttributes } = access;
  const review = await client.request<{ status?: { allowed?: boolean } }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes },
    },
    timeoutMs: TIMEOUT_MS,
  });
  return review.status?.allowed === true;
}

/** The user the credentials authenticate as, for the message; undefined when it cannot be asked. */
async function whoAmI(client: KubeClient): Promise<string | undefined> {
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      timeoutMs: TIMEOUT_MS,
    });
    const name = review.status?.userInfo?.username;
    return name === undefined ? undefined : `user ${name}`;
  } catch {
    return undefined;
  }
}
