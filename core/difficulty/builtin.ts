import modelV1 from './difficulty-model-v1.json' with { type: 'json' };
import { loadDifficultyModel, type DifficultyModel } from './model.ts';
import type { BuiltinScorer } from './scorer-names.ts';

let loaded: DifficultyModel | undefined;

/**
 * The built-in model of that name, validated and laid out on first use (about a millisecond),
 * then shared: a proxy whose policies never use the scorer never pays for it.
 */
export function builtinScorer(name: BuiltinScorer): DifficultyModel {
  switch (name) {
    case 'difficulty-v1':
      loaded ??= loadDifficultyModel(modelV1);
      return loaded;
  }
}
