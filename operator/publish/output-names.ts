// The names the operator publishes under come from the contract in core/config/published-names.ts
// (proxies read them from there too); what follows is the operator's own.
export {
  ANNOTATIONS,
  CONFIG_KEYS,
  CONFIG_MAP_NAME,
  CREDENTIALS_SECRET_NAME,
} from '../../core/config/published-names.ts';

/** Field manager of every server-side apply the operator sends. */
export const FIELD_MANAGER = 'switchyard-operator';

/** The Lease of leader election, in the operator's namespace. */
export const LEASE_NAME = 'switchyard-operator';

/** Labels on every published object. */
export const PUBLISHED_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'switchyard',
  'app.kubernetes.io/component': 'router-config',
  'app.kubernetes.io/managed-by': FIELD_MANAGER,
};
