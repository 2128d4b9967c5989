import type { ModelProviderSpec } from '../api/model-provider.ts';
import { acceptedBeforeProgrammed, type Check, type Finding } from './check.ts';
import { namespacedName, objectLabel, type ObjectId } from './object-id.ts';
import type { SecretIndex } from './secret-index.ts';

/** A ModelProvider with a valid spec, and what its checks need to know about the others. */
export interface ProviderSubject {
  id: ObjectId;
  spec: ModelProviderSpec;
  /** The provider the name was granted to (this one when it won or was alone). */
  nameOwner: ObjectId;
  secrets: SecretIndex;
}

/** The checks of a ModelProvider with a valid spec, most fundamental first. */
export const PROVIDER_CHECKS: readonly Check<ProviderSubject>[] = [
  { name: 'the name is not claimed by an older provider', condition: 'Accepted', run: nameIsOwned },
  { name: 'the referenced Secret exists', condition: 'ResolvedRefs', run: secretExists },
  { name: 'the referenced Secret has the key', condition: 'ResolvedRefs', run: secretHasKey },
  acceptedBeforeProgrammed(),
  { name: 'every reference resolves', condition: 'Programmed', run: referencesResolve },
];

function nameIsOwned({ id, nameOwner }: ProviderSubject): Finding | undefined {
  if (nameOwner.namespace === id.namespace && nameOwner.name === id.name) return undefined;
  return {
    reason: 'Conflicted',
    message: `${objectLabel(nameOwner)} already claims the name "${id.name}" (it is older, or first by namespace/name); provider names are unique across the fleet because proxies expose models as "${id.name}/<model>"; rename this one`,
  };
}

function secretExists({ id, spec, secrets }: ProviderSubject): Finding | undefined {
  const ref = spec.auth?.secretRef;
  if (
    ref === undefined ||
    secrets.has(namespacedName({ namespace: id.namespace, name: ref.name }))
  ) {
    return undefined;
  }
  return {
    reason: 'SecretNotFound',
    message: `Secret ${id.namespace}/${ref.name} not found; create it in namespace ${id.namespace} with the API key under key "${ref.key}", or correct spec.auth.secretRef.name`,
  };
}

function secretHasKey({ id, spec, secrets }: ProviderSubject): Finding | undefined {
  const ref = spec.auth?.secretRef;
  if (ref === undefined) return undefined;
  const keys = secrets.get(namespacedName({ namespace: id.namespace, name: ref.name }));
  if (keys === undefined || keys.has(ref.key)) return undefined;
  const present = keys.size === 0 ? 'no keys' : `keys: ${[...keys].sort().join(', ')}`;
  return {
    reason: 'SecretKeyNotFound',
    message: `Secret ${id.namespace}/${ref.name} has no key "${ref.key}" (it has ${present}); add the key to the Secret or correct spec.auth.secretRef.key`,
  };
}

function referencesResolve(
  _subject: ProviderSubject,
  findings: { ResolvedRefs?: Finding },
): Finding | undefined {
  if (findings.ResolvedRefs === undefined) return undefined;
  return {
    reason: 'RefsNotResolved',
    message: `not served because its references do not resolve (${findings.ResolvedRefs.reason}): calls would fail without the API key; fix the ResolvedRefs condition first`,
  };
}
