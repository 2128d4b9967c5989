/**
 * Bounds on a JSON Schema a client sends in `response_format.json_schema.schema`, which the
 * quality gate compiles and runs against answers. Compiling costs time in the schema's size and
 * validation in its size times the answer's, so both are bounded before anything is compiled.
 * OpenAI's own limits for structured outputs are tighter (5,000 properties, 10 levels of nesting).
 */
export const CLIENT_SCHEMA_LIMITS = {
  /** Characters of the schema as JSON. */
  maxChars: 64 * 1024,
  /** Nesting of JSON objects and arrays in the schema document. */
  maxDepth: 32,
} as const;

/** What is wrong with a client schema, or undefined when it is within the limits. */
export function clientSchemaProblem(schema: unknown): string | undefined {
  const depth = depthOf(schema, CLIENT_SCHEMA_LIMITS.maxDepth + 1);
  if (depth > CLIENT_SCHEMA_LIMITS.maxDepth)
    return `the schema nests deeper than ${CLIENT_SCHEMA_LIMITS.maxDepth} levels`;
  const chars = JSON.stringify(schema).length;
  if (chars > CLIENT_SCHEMA_LIMITS.maxChars)
    return `the schema is ${chars} characters of JSON; the limit is ${CLIENT_SCHEMA_LIMITS.maxChars}`;
  return undefined;
}

/**
 * The nesting depth of a JSON value (a scalar is 0), counting no further than `stopAt`: a
 * 10,000-level array costs `stopAt` steps, not a stack overflow. Iterative for the same reason.
 */
export function depthOf(value: unknown, stopAt: number): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  // Two parallel stacks rather than a [node, depth] pair per node: this runs on every request.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const level = depths.pop() as number;
    if (level > deepest) deepest = level;
    if (deepest >= stopAt) return deepest;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(level + 1);
      }
    }
  }
  return deepest;
}
