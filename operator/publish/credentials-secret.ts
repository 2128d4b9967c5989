import type { CredentialRef } from '../../core/config/router-config.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { ANNOTATIONS, CREDENTIALS_SECRET_NAME, PUBLISHED_LABELS } from './output-names.ts';

/** One API key the proxies need: where it comes from and its base64 value. */
export interface CredentialValue {
  ref: CredentialRef;
  base64Value: string;
}

/**
 * The data key of a credential: `<namespace>.<secret>.<key>`, all characters a Secret key
 * allows. Secret names and keys may contain dots, so two references can collide; the
 * `switchyard.dev/credential-refs` annotation maps each data key back to its reference and is
 * what proxies read, and a collision gets a numeric suffix.
 */
export function credentialDataKey(ref: CredentialRef): string {
  return `${ref.namespace}.${ref.secretName}.${ref.key}`;
}

/**
 * The Secret that carries the referenced API keys to the proxies, as an apply configuration.
 * It holds only keys some programmed provider references, nothing else from the source Secrets.
 */
export function credentialsSecretFor(
  credentials: readonly CredentialValue[],
  namespace: string,
): KubeObject {
  const data: Record<string, string> = {};
  const refs: Record<string, string> = {};
  const sorted = [...credentials].sort((a, b) =>
    refText(a.ref) < refText(b.ref) ? -1 : refText(a.ref) > refText(b.ref) ? 1 : 0,
  );
  for (const { ref, base64Value } of sorted) {
    if (Object.values(refs).includes(refText(ref))) continue;
    let dataKey = credentialDataKey(ref);
    for (let suffix = 2; data[dataKey] !== undefined; suffix++) {
      dataKey = `${credentialDataKey(ref)}.${suffix}`;
    }
    data[dataKey] = base64Value;
    refs[dataKey] = refText(ref);
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: CREDENTIALS_SECRET_NAME,
      namespace,
      labels: { ...PUBLISHED_LABELS },
      // References only (namespace/secret/key), never values: the config already shows them.
      annotations: { [ANNOTATIONS.credentialRefs]: JSON.stringify(refs) },
    },
    data,
  };
}

/** `namespace/secret/key`, the proxy's credential key. */
function refText(ref: CredentialRef): string {
  return `${ref.namespace}/${ref.secretName}/${ref.key}`;
}
