import { splitArguments, splitText } from './chunking.ts';
import type { GenerateRequest } from './provider-format.ts';
import { classifierReply } from './classifier-reply.ts';
import { FAKE_DEGRADED_MARKER, judgeReply } from './judge-reply.ts';
import { synthesizeReply } from './reply-text.ts';
import type { FakeFinishReason, ScriptStep } from './script-step.ts';
import { estimateTokens } from './token-estimate.ts';

/** Usage with the proxy's normalised meaning (see ScriptUsage); every field filled. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/** A tool call of the answer, with its arguments pre-split into stream fragments. */
export interface FakeToolCall {
  /** Scripted id, or undefined for the format to mint one in its own shape. */
  id: string | undefined;
  name: string;
  argumentsJson: string;
  argumentChunks: string[];
}

/** The answer to one generation request, provider-neutral; each format renders it. */
export interface FakeCompletion {
  /** The fake's request counter: seeds ids so they are unique and repeatable. */
  seq: number;
  createdSeconds: number;
  model: string;
  text: string;
  textChunks: string[];
  toolCalls: FakeToolCall[];
  finishReason: FakeFinishReason;
  /** Undefined when the step omits usage. */
  usage: FakeUsage | undefined;
  promptBlocked: boolean;
}

/** Everything planCompletion needs; time is passed in. */
export interface CompletionInput {
  step: ScriptStep;
  request: GenerateRequest;
  seq: number;
  nowMs: number;
  wordsPerChunk: number;
}

/** Decides the answer to a generation request from the step and the request. */
export function planCompletion(input: CompletionInput): FakeCompletion {
  const { step, request } = input;
  const toolCalls = planToolCalls(step, request);
  let text = chooseText(step, request, toolCalls.length > 0);
  if (step.degraded === true) text = `${text} ${FAKE_DEGRADED_MARKER}`;
  let finishReason = step.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  // A request's output cap truncates the text, as a real model stops mid-sentence.
  const cap = request.maxOutputTokens;
  if (cap !== undefined && estimateTokens(text) > cap) {
    text = text.slice(0, cap * 4);
    finishReason = step.finishReason ?? 'length';
  }
  const blocked = step.promptBlocked === true;
  if (blocked) {
    text = '';
    finishReason = 'content_filter';
  }
  const calls = blocked ? [] : toolCalls;
  return {
    seq: input.seq,
    createdSeconds: Math.floor(input.nowMs / 1000),
    model: request.model,
    text,
    textChunks: splitText(text, input.wordsPerChunk),
    toolCalls: calls,
    finishReason,
    usage: step.omitUsage === true ? undefined : planUsage(step, request, text, calls),
    promptBlocked: blocked,
  };
}

function chooseText(step: ScriptStep, request: GenerateRequest, hasToolCalls: boolean): string {
  if (step.emptyContent === true) return '';
  if (step.reply !== undefined) return step.reply;
  // Models that call a tool usually say nothing else.
  if (hasToolCalls) return '';
  const tier = classifierReply(request.systemText, request.lastUserText);
  if (tier !== undefined) return tier;
  const verdict = judgeReply(request.systemText, request.lastUserText);
  if (verdict !== undefined) return verdict;
  const reply = synthesizeReply(request.lastUserText);
  return request.jsonMode ? JSON.stringify({ answer: reply }) : reply;
}

function planToolCalls(step: ScriptStep, request: GenerateRequest): FakeToolCall[] {
  if (step.emptyContent === true) return [];
  const scripted = step.toolCalls;
  if (scripted !== undefined) {
    return scripted.map((call) => {
      const json =
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
      return {
        id: call.id,
        name: call.name,
        argumentsJson: json,
        argumentChunks: splitArguments(json),
      };
    });
  }
  // A request that forces a tool gets a call to it, as the real APIs guarantee.
  if (step.reply === undefined && request.forcedTool !== undefined) {
    const name = request.forcedTool === '' ? request.toolNames[0] : request.forcedTool;
    if (name !== undefined)
      return [{ id: undefined, name, argumentsJson: '{}', argumentChunks: ['{}'] }];
  }
  return [];
}

function planUsage(
  step: ScriptStep,
  request: GenerateRequest,
  text: string,
  toolCalls: readonly FakeToolCall[],
): FakeUsage {
  const override = step.usage ?? {};
  const reasoningTokens = override.reasoningTokens ?? 0;
  const toolTokens = toolCalls.reduce(
    (sum, call) => sum + estimateTokens(call.name) + estimateTokens(call.argumentsJson),
    0,
  );
  return {
    inputTokens: override.inputTokens ?? request.promptTokens,
    outputTokens: override.outputTokens ?? estimateTokens(text) + toolTokens + reasoningTokens,
    cachedInputTokens: override.cachedInputTokens ?? 0,
    cacheWriteTokens: override.cacheWriteTokens ?? 0,
    reasoningTokens,
  };
}

/** Content chunks a completion streams as: text chunks, then each tool call's fragments. */
export function contentChunkCount(completion: FakeCompletion): number {
  return completion.toolCalls.reduce(
    (sum, call) => sum + call.argumentChunks.length,
    completion.textChunks.length,
  );
}
