import type { PriceFeedSpec } from '../../core/api/price-feed.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';

/** A Secret that cannot give the credential: the Synced reason and a message that says what to fix. */
export class FeedCredentialError extends Error {
  override name = 'FeedCredentialError';
  readonly code: 'SecretNotFound' | 'SecretKeyNotFound';

  constructor(code: 'SecretNotFound' | 'SecretKeyNotFound', message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The header that carries a feed's credential, read from its Secret at the moment of the fetch
 * (a rotated Secret is used at the next fetch; the value is not kept between fetches). Undefined
 * for a feed without spec.auth. Surrounding whitespace is trimmed: a Secret made with
 * `--from-file` usually ends in a newline, which no header may carry.
 */
export async function feedCredential(
  client: KubeClient,
  namespace: string,
  spec: PriceFeedSpec,
): Promise<{ header: string; value: string } | undefined> {
  const auth = spec.auth;
  if (auth === undefined) return undefined;
  const { name, key } = auth.secretRef;
  let secret: KubeObject;
  try {
    secret = await client.request<KubeObject>({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/secrets/${name}`,
      redactErrors: true,
    });
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error;
    throw new FeedCredentialError(
      'SecretNotFound',
      `Secret ${namespace}/${name} not found; create it with the credential under key "${key}", or correct spec.auth.secretRef.name`,
    );
  }
  const data = (secret['data'] ?? {}) as Record<string, string>;
  const encoded = data[key];
  if (encoded === undefined) {
    const keys = Object.keys(data).sort();
    throw new FeedCredentialError(
      'SecretKeyNotFound',
      `Secret ${namespace}/${name} has no key "${key}" (it has ${keys.length === 0 ? 'no keys' : `keys: ${keys.join(', ')}`}); add the key or correct spec.auth.secretRef.key`,
    );
  }
  const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
  return { header: auth.header, value: auth.scheme === '' ? value : `${auth.scheme} ${value}` };
}
