import { z } from 'zod';
import { chatCompletionRequest } from '../openai/chat-request.ts';
import type { ChatCompletionRequest } from '../openai/types.ts';

/**
 * One line of a `switchyard eval` dataset (JSON Lines). The request is given as `prompt` (one
 * user message), `messages`, or a whole chat completion body in `request`; `label` names the
 * cheapest tier whose answer is good enough; `grades` (optional) give each tier's quality for
 * this prompt on any scale where higher is better (a judge's 1–10, 0/1 for right/wrong, a win
 * rate), which the quality-versus-cost curve and APGR need.
 */
export const datasetLine = z
  .looseObject({
    id: z.string().max(256).optional(),
    prompt: z.string().optional(),
    messages: z.array(z.unknown()).optional(),
    request: z.record(z.string(), z.unknown()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    label: z.string().min(1).max(63),
    grades: z.record(z.string(), z.number()).optional(),
  })
  .refine(
    (l) => [l.prompt, l.messages, l.request].filter((x) => x !== undefined).length === 1,
    'give exactly one of prompt, messages or request',
  );

/** A dataset line, parsed: the chat request it stands for, its label and grades. */
export interface DatasetItem {
  /** The line's `id`, else `line N`. */
  id: string;
  /** 1-based line number in the file. */
  line: number;
  request: ChatCompletionRequest;
  headers: Record<string, string>;
  label: string;
  grades: Readonly<Record<string, number>> | undefined;
}

/** A problem with one line of a dataset, with its 1-based line number. */
export interface DatasetProblem {
  line: number;
  message: string;
}

/**
 * Parses a JSON Lines dataset; blank lines are skipped. Every line is checked and every bad one
 * reported (the good ones are still returned), so a user fixes a file in one go.
 */
export function parseDataset(
  text: string,
  model: string,
): { items: DatasetItem[]; problems: DatasetProblem[] } {
  const items: DatasetItem[] = [];
  const problems: DatasetProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const parsed = parseLine(raw, model, i + 1);
    if (typeof parsed === 'string') problems.push({ line: i + 1, message: parsed });
    else items.push(parsed);
  }
  return { items, problems };
}

function parseLine(raw: string, model: string, line: number): DatasetItem | string {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  const parsed = datasetLine.safeParse(json);
  if (!parsed.success) return describe(parsed.error);
  const l = parsed.data;
  const body =
    l.request !== undefined
      ? { ...l.request, model }
      : { model, messages: l.messages ?? [{ role: 'user', content: l.prompt }] };
  const request = chatCompletionRequest.safeParse(body);
  if (!request.success) return `not a chat completion request: ${describe(request.error)}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(l.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    id: l.id ?? `line ${line}`,
    line,
    request: request.data,
    headers,
    label: l.label,
    grades: l.grades,
  };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
