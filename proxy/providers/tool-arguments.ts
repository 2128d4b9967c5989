import { AdapterError } from './adapter-error.ts';

/**
 * Tool call arguments are a JSON string in OpenAI and an object in Anthropic and Gemini: parses
 * them, `{}` for an empty string, AdapterError(invalid_request) naming `path` otherwise.
 */
export function toolInput(args: string, path: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new AdapterError('invalid_request', `${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdapterError('invalid_request', `${path} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
