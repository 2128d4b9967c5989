import { credentialKey } from '../config/credential-store.ts';
import { ANNOTATIONS } from '../../core/config/published-names.ts';

/** A Secret as the watcher reads it. */
export interface SecretLike {
  metadata?: { annotations?: Record<string, string> | undefined } | undefined;
  data?: Record<string, string> | undefined;
}

/** The decoded credentials and the data keys that could not be mapped (names only). */
export interface DecodedCredentials {
  values: Map<string, string>;
  unmapped: string[];
}

/**
 * The API keys of the credentials Secret, keyed as CredentialStore wants (`namespace/secret/key`).
 * The operator's annotation maps each data key to its reference, because data keys
 * (`<namespace>.<secret>.<key>`) cannot be split back when a name contains a dot.
 */
export function decodeCredentials(secret: SecretLike): DecodedCredentials {
  const refs = parseRefs(secret.metadata?.annotations?.[ANNOTATIONS.credentialRefs]);
  const values = new Map<string, string>();
  const unmapped: string[] = [];
  for (const [dataKey, base64] of Object.entries(secret.data ?? {})) {
    const ref = refs[dataKey]?.split('/');
    if (ref?.length !== 3) {
      unmapped.push(dataKey);
      continue;
    }
    const [namespace = '', name = '', key = ''] = ref;
    values.set(credentialKey(namespace, name, key), Buffer.from(base64, 'base64').toString('utf8'));
  }
  return { values, unmapped };
}

function parseRefs(annotation: string | undefined): Record<string, string> {
  if (annotation === undefined) return {};
  try {
    const parsed = JSON.parse(annotation) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
