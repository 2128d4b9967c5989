import type { ResponseFormat } from '../../core/openai/types.ts';

/**
 * The system instruction that stands in for `response_format` on providers without a JSON mode
 * (Anthropic). Undefined for plain text.
 */
export function jsonInstruction(format: ResponseFormat | null | undefined): string | undefined {
  if (format === undefined || format === null || format.type === 'text') return undefined;
  const rule =
    'Respond with a single valid JSON value and nothing else: no prose before or after it and no Markdown code fences.';
  if (format.type === 'json_object') return `${rule} The value must be a JSON object.`;
  const spec = format.json_schema;
  const schema =
    spec.schema === undefined || spec.schema === null ? '{}' : JSON.stringify(spec.schema);
  return `${rule} It must conform to the JSON Schema named "${spec.name}":\n${schema}`;
}
