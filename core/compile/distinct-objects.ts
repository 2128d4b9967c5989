import { canonicalJson } from '../util/canonical-json.ts';
import {
  compareText,
  namespacedName,
  objectIdOf,
  type ObjectId,
  type ObjectKind,
} from './object-id.ts';
import type { RawObject } from './snapshot.ts';

/** A raw object with its identity worked out. */
export interface IdentifiedObject {
  id: ObjectId;
  raw: RawObject;
}

/**
 * Identifies objects and keeps one per namespace/name. The API server never holds two, but a
 * snapshot assembled by hand might: keeping the one with the smallest canonical JSON makes the
 * choice independent of input order, which compile()'s determinism rests on.
 */
export function distinctObjects(kind: ObjectKind, raws: readonly RawObject[]): IdentifiedObject[] {
  const chosen = new Map<string, { object: IdentifiedObject; json: string }>();
  for (const raw of raws) {
    const id = objectIdOf(kind, raw);
    const key = namespacedName(id);
    const json = canonicalJson(raw);
    const current = chosen.get(key);
    if (current === undefined || compareText(json, current.json) < 0) {
      chosen.set(key, { object: { id, raw }, json });
    }
  }
  return [...chosen.values()].map((entry) => entry.object);
}
