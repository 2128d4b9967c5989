import type { RouteConfig } from '../config/router-config.ts';
import type { ChatCompletionRequest, ChatMessage } from '../openai/types.ts';

/** Characters of the conversation shown to the judge: enough to grade, bounded in cost. */
export const MAX_JUDGED_CONVERSATION_CHARS = 8000;
/** Characters of the answer shown to the judge. */
export const MAX_JUDGED_ANSWER_CHARS = 8000;
/** Tokens the judge may answer with: a score and a sentence. */
export const JUDGE_MAX_TOKENS = 120;

/** The rubric used when a policy gives none. */
export const DEFAULT_RUBRIC =
  'Judge whether the answer is correct, complete for what was asked, and clear. Penalise factual errors, ignored instructions and padding.';

/** The first line of every judge prompt; the fake judge in test/fakes recognises it. */
export const JUDGE_PROMPT_OPENING = 'You grade the answer an AI assistant gave to a conversation.';

/**
 * The request sent to a policy's judge: a system prompt with the rubric and the answer format
 * (one JSON object, score 1–10 and a short reason), and one user message holding the
 * conversation and the answer, each cut to a bounded length. Temperature 0: the same answer
 * should get the same grade.
 */
export function judgeRequest(
  quality: NonNullable<RouteConfig['quality']>,
  messages: readonly ChatMessage[],
  answer: string,
  model: string,
): ChatCompletionRequest {
  const system = [
    JUDGE_PROMPT_OPENING,
    `Rubric: ${quality.rubric ?? DEFAULT_RUBRIC}`,
    'Reply with one JSON object and nothing else: {"score": <integer 1 to 10, 10 best>, "reason": "<one short sentence>"}.',
  ].join('\n');
  const user = [
    '<conversation>',
    clip(conversationText(messages), MAX_JUDGED_CONVERSATION_CHARS),
    '</conversation>',
    '<answer>',
    clip(answer, MAX_JUDGED_ANSWER_CHARS),
    '</answer>',
  ].join('\n');
  return {
    model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    max_tokens: JUDGE_MAX_TOKENS,
    temperature: 0,
  };
}

/** The conversation as `role: text` lines; images and other media become a placeholder. */
export function conversationText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `${m.role}: ${messageText(m)}`).join('\n');
}

function messageText(message: ChatMessage): string {
  const { content } = message;
  if (content === undefined || content === null) {
    const calls = message.role === 'assistant' ? (message.tool_calls ?? []) : [];
    return calls.map((c) => `[tool call ${c.function.name}(${c.function.arguments})]`).join(' ');
  }
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text') return part.text;
      if (part.type === 'refusal') return part.refusal;
      return `[${part.type}]`;
    })
    .join(' ');
}

/** Keeps the start and the end of a long text: the question and the latest turn both matter. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - 5) / 2);
  return `${text.slice(0, half)}\n…\n${text.slice(text.length - half)}`;
}
