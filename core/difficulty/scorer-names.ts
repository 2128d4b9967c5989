/** Names of the built-in difficulty scorers a RoutePolicy may select. */
export const BUILTIN_SCORERS = ['difficulty-v1'] as const;
/** A built-in scorer's name. */
export type BuiltinScorer = (typeof BUILTIN_SCORERS)[number];
