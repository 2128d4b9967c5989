import { z } from 'zod';

/** OpenAI's error body: what every non-2xx answer of the proxy carries. */
export const openAIErrorBody = z.looseObject({
  error: z.looseObject({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});
/** An OpenAI error body. */
export type OpenAIErrorBody = z.output<typeof openAIErrorBody>;

/** Builds an error body; `type` follows OpenAI (`invalid_request_error`, `rate_limit_error`, …). */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/**
 * Turns a zod validation failure of a request body into a 400 body whose message names each
 * offending path (`messages[1].content: Invalid input…`) and whose `param` is the first path.
 */
export function invalidRequestBody(error: z.ZodError, maxIssues = 5): OpenAIErrorBody {
  const issues = error.issues.slice(0, maxIssues);
  const parts = issues.map((issue) => {
    const path = formatPath(issue.path);
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const more =
    error.issues.length > issues.length ? ` (+${error.issues.length - issues.length} more)` : '';
  const first = issues[0];
  const param = first === undefined || first.path.length === 0 ? null : formatPath(first.path);
  return errorBody(
    `Invalid request: ${parts.join('; ')}${more}`,
    'invalid_request_error',
    'invalid_request',
    param,
  );
}

/** `['messages', 1, 'content']` → `messages[1].content`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
