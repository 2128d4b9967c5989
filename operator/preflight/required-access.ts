import { API_GROUP } from '../../core/api/common.ts';
import { CONFIG_MAP_NAME, CREDENTIALS_SECRET_NAME, LEASE_NAME } from '../publish/output-names.ts';

/** One permission the operator needs: a SelfSubjectAccessReview's resourceAttributes. */
export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Namespace; '' is every namespace (a cluster-wide list or watch). */
  namespace: string;
  name?: string;
  /** Whether the operator can run without it (Events are a courtesy, status is not). */
  optional?: boolean;
}

// What each part of the operator sends, kept in step with deploy/rbac/operator.yaml: the
// informers list and watch, the status writer reads an object on a conflict and patches its
// status, credential values are read one Secret at a time, Events are created then patched.
const WATCHED: readonly Omit<Access, 'namespace'>[] = [
  ...['modelproviders', 'routepolicies'].flatMap((resource) => [
    ...['get', 'list', 'watch'].map((verb) => ({ verb, group: API_GROUP, resource })),
    { verb: 'patch', group: API_GROUP, resource, subresource: 'status' },
  ]),
  ...['get', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'secrets' })),
  ...['create', 'patch'].map((verb) => ({ verb, group: '', resource: 'events', optional: true })),
];

// Its own three objects, all written by name: server-side apply creates them (a PATCH that the
// API server also authorizes as a create of that name), the Lease is then renewed with PUT.
const OWN: readonly Omit<Access, 'namespace'>[] = [
  ...[
    { resource: 'configmaps', name: CONFIG_MAP_NAME },
    { resource: 'secrets', name: CREDENTIALS_SECRET_NAME },
  ].flatMap(({ resource, name }) =>
    ['list', 'watch', 'create', 'patch'].map((verb) => ({ verb, group: '', resource, name })),
  ),
  ...['get', 'create', 'update', 'patch'].map((verb) => ({
    verb,
    group: 'coordination.k8s.io',
    resource: 'leases',
    name: LEASE_NAME,
  })),
];

/**
 * Every permission the operator needs to run: in each watched namespace (or cluster-wide when it
 * watches all of them), and on its own ConfigMap, Secret and Lease in its namespace.
 */
export function requiredAccess(
  namespace: string,
  watchNamespaces: readonly string[] | undefined,
): Access[] {
  const scopes = watchNamespaces ?? [''];
  return [
    ...scopes.flatMap((scope) => WATCHED.map((access) => ({ ...access, namespace: scope }))),
    ...OWN.map((access) => ({ ...access, namespace })),
  ];
}

/**
 * Permissions in words, verbs of the same object together: `get/list/watch secrets in all
 * namespaces, patch routepolicies/status in team-a, …`.
 */
export function describeAccess(accesses: readonly Access[]): string {
  const groups = new Map<string, string[]>();
  for (const access of accesses) {
    const group = access.group === '' || access.group === API_GROUP ? '' : `.${access.group}`;
    const sub = access.subresource === undefined ? '' : `/${access.subresource}`;
    const name = access.name === undefined ? '' : ` ${access.name}`;
    const where = access.namespace === '' ? 'in all namespaces' : `in ${access.namespace}`;
    const what = `${access.resource}${group}${sub}${name} ${where}`;
    groups.set(what, [...(groups.get(what) ?? []), access.verb]);
  }
  return [...groups].map(([what, verbs]) => `${verbs.join('/')} ${what}`).join(', ');
}
