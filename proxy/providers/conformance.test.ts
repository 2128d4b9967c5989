// One conformance suite for every provider adapter (Hono's habit): the same scenarios, each with
// recorded-style wire fixtures per provider in fixtures/<api>/, must come out as the same valid
// OpenAI answers. Golden upstream requests are rewritten with UPDATE_GOLDEN=1.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ProviderApi } from '../../core/api/model-provider.ts';
import { estimatedUsage } from '../../core/cost/estimated-usage.ts';
import type { Usage } from '../../core/cost/usage.ts';
import { chatCompletion, chatCompletionChunk } from '../../core/openai/chat-completion.ts';
import { chatCompletionRequest } from '../../core/openai/chat-request.ts';
import { estimatePromptTokens } from '../../core/openai/request-facts.ts';
import type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  FinishReason,
} from '../../core/openai/types.ts';
import type { ProviderAdapter, ResponseContext, UpstreamTarget } from './adapter.ts';
import { UpstreamFailure } from './adapter-error.ts';
import { ADAPTERS } from './registry.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';
/** "Now" for HTTP-date Retry-After fixtures: 30 s before the date they carry. */
const NOW_MS = Date.parse('2026-10-21T07:28:00Z');

const TARGETS: Record<ProviderApi, UpstreamTarget> = {
  openai: {
    baseURL: 'https://api.openai.com/v1',
    upstreamModel: 'gpt-4o-mini',
    apiKey: 'sk-test-0000',
    headers: { 'openai-organization': 'org-test' },
    maxOutputTokens: 16384,
  },
  anthropic: {
    baseURL: 'https://api.anthropic.com',
    upstreamModel: 'claude-sonnet-4-20250514',
    apiKey: 'sk-ant-test-0000',
    headers: {},
    maxOutputTokens: 8192,
  },
  gemini: {
    baseURL: 'https://generativelanguage.googleapis.com/v1beta',
    upstreamModel: 'gemini-2.5-flash',
    apiKey: 'AIza-test-0000',
    headers: {},
    maxOutputTokens: 65536,
  },
};

interface ExpectedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What every adapter must make of a scenario. */
interface Expected {
  content: string;
  toolCalls?: ExpectedToolCall[];
  finish: FinishReason;
  /** Token counts; `estimated` means the provider sent none and ours must be used. */
  usage: [input: number, output: number] | 'cache' | 'estimated';
}

const PARIS: ExpectedToolCall = {
  name: 'get_weather',
  arguments: { city: 'Paris', unit: 'celsius' },
};

const SCENARIOS: Record<string, Expected> = {
  'simple-text': { content: 'Hello! How can I help you today?', finish: 'stop', usage: [12, 9] },
  'system-prompt': { content: 'Bonjour !', finish: 'stop', usage: [24, 4] },
  'multi-turn': { content: 'Your name is Ada.', finish: 'stop', usage: [31, 6] },
  'tool-call': { content: '', toolCalls: [PARIS], finish: 'tool_calls', usage: [85, 18] },
  'tool-result': {
    content: 'Paris is sunny at 18 °C, while Berlin has light rain at 12 °C.',
    finish: 'stop',
    usage: [142, 21],
  },
  'image-input': { content: 'A single white pixel and a cat.', finish: 'stop', usage: [880, 9] },
  'json-mode': { content: '{"name":"Ada Lovelace","age":36}', finish: 'stop', usage: [60, 11] },
  truncated: { content: 'The quick brown fox', finish: 'length', usage: [14, 5] },
  'content-filter': { content: '', finish: 'content_filter', usage: [16, 0] },
  'empty-output': { content: '', finish: 'stop', usage: [15, 0] },
  'usage-cache': {
    content: 'Open the ModelProvider manifest and add an entry under models.',
    finish: 'stop',
    usage: 'cache',
  },
  'usage-missing': {
    content: 'Hello! How can I help you today?',
    finish: 'stop',
    usage: 'estimated',
  },
};

/** Cache and reasoning usage as each provider reports it, normalised. */
const CACHE_USAGE: Record<ProviderApi, Usage> = {
  // prompt_tokens_details.cached_tokens and completion_tokens_details.reasoning_tokens
  openai: usage(2006, 300, { cachedInputTokens: 1920, reasoningTokens: 192 }),
  // input_tokens 12 + cache_read 1920 + cache_creation 74; thinking is inside output_tokens
  anthropic: usage(2006, 300, { cachedInputTokens: 1920, cacheWriteTokens: 74 }),
  // candidatesTokenCount 108 excludes thoughtsTokenCount 192
  gemini: usage(2006, 300, { cachedInputTokens: 1920, reasoningTokens: 192 }),
};

function usage(input: number, output: number, extra: Partial<Usage> = {}): Usage {
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    ...extra,
  };
}

function readText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

function request(
  name: string,
  overrides: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest {
  // Fixtures go through the same schema the proxy's parser uses.
  return chatCompletionRequest.parse({
    ...JSON.parse(readText(`requests/${name}.json`)),
    ...overrides,
  });
}

function context(req: ChatCompletionRequest): ResponseContext {
  return {
    responseModel: 'test-provider/test-model',
    request: req,
    createdSeconds: 1_750_000_000,
    fallbackId: 'chatcmpl-switchyard-fallback',
  };
}

function expectedUsage(api: ProviderApi, expected: Expected, req: ChatCompletionRequest): Usage {
  if (expected.usage === 'cache') return CACHE_USAGE[api];
  if (expected.usage === 'estimated') {
    const outputs = [
      expected.content,
      ...(expected.toolCalls ?? []).map((c) => JSON.stringify(c.arguments)),
    ];
    return estimatedUsage(estimatePromptTokens(req), outputs);
  }
  return usage(expected.usage[0], expected.usage[1]);
}

/** Compares with (or, with UPDATE_GOLDEN=1, rewrites) a golden JSON file. */
function golden(path: string, actual: unknown): void {
  const url = new URL(path, FIXTURES);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE_GOLDEN || !existsSync(url)) {
    if (!UPDATE_GOLDEN) assert.fail(`golden file ${path} is missing; run with UPDATE_GOLDEN=1`);
    writeFileSync(url, text);
    return;
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(url, 'utf8')), `golden ${path}`);
}

interface Assembled {
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: FinishReason | null;
  usageChunk: ChatCompletionChunk | undefined;
}

/** Checks the invariants every stream must keep and assembles what the client would see. */
function assemble(chunks: ChatCompletionChunk[], includeUsage: boolean): Assembled {
  assert.ok(chunks.length > 0, 'a stream yields chunks');
  const out: Assembled = { content: '', toolCalls: [], finish: null, usageChunk: undefined };
  const id = chunks[0]!.id;
  chunks.forEach((chunk, i) => {
    chatCompletionChunk.parse(chunk);
    assert.equal(chunk.id, id, 'every chunk shares the id');
    assert.equal(chunk.model, 'test-provider/test-model');
    if (chunk.choices.length === 0) {
      assert.equal(i, chunks.length - 1, 'the usage chunk is last');
      out.usageChunk = chunk;
      return;
    }
    assert.ok(chunk.usage === undefined || chunk.usage === null, 'usage only in the usage chunk');
    for (const choice of chunk.choices) {
      if (i === 0) assert.equal(choice.delta.role, 'assistant', 'the first chunk carries the role');
      if (choice.finish_reason !== null) {
        assert.equal(out.finish, null, 'one finish chunk');
        out.finish = choice.finish_reason;
      }
      out.content += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (out.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
        slot.id += call.id ?? '';
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
    }
  });
  assert.equal(out.usageChunk !== undefined, includeUsage, 'usage chunk iff include_usage');
  return out;
}

function runStream(adapter: ProviderAdapter, ctx: ResponseContext, pieces: Iterable<string>) {
  const translator = adapter.createStreamTranslator(ctx);
  const chunks: ChatCompletionChunk[] = [];
  for (const piece of pieces) chunks.push(...translator.push(piece));
  chunks.push(...translator.end());
  return { chunks, translator };
}

/** Cuts bytes at the given offsets and decodes them as the executor does (streaming UTF-8). */
function decodePieces(bytes: Uint8Array, cuts: readonly number[]): string[] {
  const decoder = new TextDecoder();
  const pieces: string[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(decoder.decode(bytes.subarray(start, cut), { stream: true }));
    start = cut;
  }
  pieces.push(decoder.decode());
  return pieces;
}

function checkToolCalls(
  actual: { id: string; name: string; arguments: string }[],
  expected: ExpectedToolCall[] = [],
): void {
  assert.equal(actual.length, expected.length, 'number of tool calls');
  expected.forEach((call, i) => {
    const got = actual[i]!;
    assert.equal(got.name, call.name);
    assert.ok(got.id !== '', 'a tool call has an id');
    assert.deepEqual(JSON.parse(got.arguments), call.arguments);
  });
}

for (const api of Object.keys(ADAPTERS) as ProviderApi[]) {
  const adapter = ADAPTERS[api];
  const target = TARGETS[api];

  describe(`${api} adapter`, () => {
    test('is registered under its own api', () => assert.equal(adapter.api, api));

    for (const [name, expected] of Object.entries(SCENARIOS)) {
      test(`${name}: builds the recorded upstream request`, () => {
        const built = adapter.buildChatRequest(request(name), target);
        golden(`${api}/${name}.upstream.json`, {
          ...built,
          body: JSON.parse(built.body ?? 'null'),
        });
      });

      test(`${name}: a response becomes a valid completion with the expected answer and usage`, () => {
        const req = request(name);
        const { completion, usage: got } = adapter.parseChatResponse(
          readText(`${api}/${name}.response.json`),
          context(req),
        );
        chatCompletion.parse(completion);
        assert.equal(completion.model, 'test-provider/test-model');
        assert.equal(completion.object, 'chat.completion');
        const choice = completion.choices[0]!;
        assert.equal(choice.message.content ?? '', expected.content);
        if (expected.toolCalls === undefined) assert.equal(typeof choice.message.content, 'string');
        assert.equal(choice.finish_reason, expected.finish);
        checkToolCalls(
          (choice.message.tool_calls ?? []).map((c) => ({
            id: c.id,
            name: c.function.name,
            arguments: c.function.arguments,
          })),
          expected.toolCalls,
        );
        assert.deepEqual(got, expectedUsage(api, expected, req));
        assert.equal(completion.usage?.prompt_tokens, got.inputTokens);
        assert.equal(completion.usage?.completion_tokens, got.outputTokens);
      });

      const streamFile = `${api}/${name}.stream.sse`;
      if (!existsSync(new URL(streamFile, FIXTURES))) continue;
      const sse = readText(streamFile);

      for (const includeUsage of [true, false]) {
        test(`${name}: the stream assembles to the same answer (include_usage ${includeUsage})`, () => {
          const req = request(name, {
            stream: true,
            stream_options: { include_usage: includeUsage },
          });
          const { chunks, translator } = runStream(adapter, context(req), [sse]);
          const got = assemble(chunks, includeUsage);
          assert.equal(got.content, expected.content);
          assert.equal(got.finish, expected.finish);
          checkToolCalls(got.toolCalls, expected.toolCalls);
          const usageNow = translator.usage();
          assert.deepEqual(usageNow, expectedUsage(api, expected, req));
          if (got.usageChunk !== undefined) {
            assert.equal(got.usageChunk.usage?.prompt_tokens, usageNow.inputTokens);
            assert.equal(got.usageChunk.usage?.completion_tokens, usageNow.outputTokens);
          }
          const produced = expected.content !== '' || (expected.toolCalls?.length ?? 0) > 0;
          assert.equal(translator.sawContent, produced, 'sawContent');
        });
      }

      test(`${name}: any byte split of the stream yields the same chunks`, () => {
        const req = request(name, { stream: true, stream_options: { include_usage: true } });
        const whole = runStream(adapter, context(req), [sse]).chunks;
        const bytes = new TextEncoder().encode(sse);
        fc.assert(
          fc.property(
            fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), {
              maxLength: 24,
            }),
            (cuts) => {
              const pieces = decodePieces(
                bytes,
                [...cuts].sort((a, b) => a - b),
              );
              assert.deepEqual(runStream(adapter, context(req), pieces).chunks, whole);
            },
          ),
          { numRuns: 40 },
        );
        // Every single cut point, and the stream one byte at a time.
        for (let cut = 1; cut < bytes.length; cut += 7) {
          assert.deepEqual(
            runStream(adapter, context(req), decodePieces(bytes, [cut])).chunks,
            whole,
          );
        }
        const oneByOne = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
        assert.deepEqual(
          runStream(adapter, context(req), decodePieces(bytes, oneByOne)).chunks,
          whole,
        );
      });
    }

    test('an error event in the middle of the stream surfaces as an UpstreamFailure', () => {
      const req = request('simple-text', { stream: true });
      const translator = adapter.createStreamTranslator(context(req));
      assert.throws(
        () => translator.push(readText(`${api}/stream-error.stream.sse`)),
        (error: unknown) =>
          error instanceof UpstreamFailure &&
          (error.kind === 'overloaded' || error.kind === 'server_error') &&
          error.message.length > 0,
      );
    });

    test('a stream cut before its end is a bad_response, after the content it produced', () => {
      const req = request('simple-text', { stream: true });
      const translator = adapter.createStreamTranslator(context(req));
      const chunks = translator.push(readText(`${api}/stream-cut.stream.sse`));
      assert.ok(chunks.some((c) => (c.choices[0]?.delta.content ?? '') !== ''));
      assert.throws(
        () => translator.end(),
        (e: unknown) => e instanceof UpstreamFailure && e.kind === 'bad_response',
      );
    });

    test('an empty stream is a bad_response', () => {
      const translator = adapter.createStreamTranslator(
        context(request('simple-text', { stream: true })),
      );
      assert.deepEqual(translator.push(''), []);
      assert.throws(
        () => translator.end(),
        (e: unknown) => e instanceof UpstreamFailure && e.kind === 'bad_response',
      );
    });

    test('a body that is not JSON is a bad_response', () => {
      assert.throws(
        () => adapter.parseChatResponse('<html>502</html>', context(request('simple-text'))),
        (e: unknown) => e instanceof UpstreamFailure && e.kind === 'bad_response',
      );
    });

    test('streams ask the upstream for streaming', () => {
      const built = adapter.buildChatRequest(request('simple-text', { stream: true }), target);
      golden(`${api}/stream.upstream.json`, { ...built, body: JSON.parse(built.body ?? 'null') });
    });

    test('the health probe is a GET that spends no tokens', () => {
      const probe = adapter.buildHealthProbe(target);
      assert.equal(probe.method, 'GET');
      assert.equal(probe.body, undefined);
      assert.match(probe.url, /\/models(\?|$)/);
      assert.ok(
        Object.values(probe.headers).some((v) => v.includes(target.apiKey!)),
        'authenticated',
      );
    });

    const errorFiles = readdirSync(new URL(`${api}/errors/`, FIXTURES)).filter((f) =>
      f.endsWith('.json'),
    );
    for (const file of errorFiles) {
      test(`error ${file.replace('.json', '')}: classified from the real body`, () => {
        const fixture = JSON.parse(readText(`${api}/errors/${file}`)) as {
          status: number;
          headers: Record<string, string>;
          body: unknown;
          expect: {
            kind: string;
            retryAfterMs?: number;
            messageIncludes?: string;
            messageExcludes?: string;
          };
        };
        const body = typeof fixture.body === 'string' ? fixture.body : JSON.stringify(fixture.body);
        const error = adapter.parseError(fixture.status, fixture.headers, body, NOW_MS);
        assert.equal(error.kind, fixture.expect.kind);
        assert.equal(error.status, fixture.status);
        assert.equal(error.retryAfterMs, fixture.expect.retryAfterMs);
        assert.ok(error.message.length > 0 && error.message.length <= 500);
        assert.ok(!error.message.includes(target.apiKey!), 'no API key in messages');
        if (fixture.expect.messageIncludes)
          assert.ok(error.message.includes(fixture.expect.messageIncludes));
        if (fixture.expect.messageExcludes)
          assert.ok(!error.message.includes(fixture.expect.messageExcludes), error.message);
      });
    }
  });
}
