import { z } from 'zod';

/** The parts of a zod schema definition that lead from a field to its children. */
interface DefinitionLinks {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch']);

function linksOf(schema: z.ZodType): DefinitionLinks {
  return schema._zod.def;
}

/** The schemas a field goes through, outermost wrapper first (optional, default, …, then the type). */
function layersOf(schema: z.ZodType): z.ZodType[] {
  const layers = [schema];
  let current = schema;
  for (let depth = 0; depth < 16; depth++) {
    const links = linksOf(current);
    const inner = WRAPPERS.has(links.type)
      ? links.innerType
      : links.type === 'pipe'
        ? links.in
        : undefined;
    if (inner === undefined) break;
    layers.push(inner);
    current = inner;
  }
  return layers;
}

/** The innermost schema of a field, without its optional/default wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  return layersOf(schema).at(-1)!;
}

/**
 * The schema of the field at `path` below `schema`, or undefined when the path leaves the schema
 * (an unknown key, or a union this walk does not enter).
 */
export function fieldSchema(
  schema: z.ZodType,
  path: readonly PropertyKey[],
): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    if (current === undefined) return undefined;
    const links = linksOf(unwrap(current));
    if (links.type === 'object') current = links.shape?.[String(key)];
    else if (links.type === 'array') current = links.element;
    else if (links.type === 'record') current = links.valueType;
    else return undefined;
  }
  return current;
}

/** Whether a manifest may leave the field out: it is optional or has a default (`{}` included). */
export function mayBeOmitted(schema: z.ZodType): boolean {
  return layersOf(schema).some((layer) => OMITTABLE.has(linksOf(layer).type));
}

const OMITTABLE = new Set(['optional', 'default', 'prefault']);

/** The field's documentation (its `.meta({description})`), from any of its wrappers. */
export function fieldDescription(schema: z.ZodType): string | undefined {
  for (const layer of layersOf(schema)) {
    const description = z.globalRegistry.get(layer)?.description;
    if (description !== undefined) return description;
  }
  return undefined;
}

/** The field names an object schema accepts, in declaration order; [] for other schemas. */
export function fieldNames(schema: z.ZodType): string[] {
  const links = linksOf(unwrap(schema));
  return links.type === 'object' && links.shape !== undefined ? Object.keys(links.shape) : [];
}
