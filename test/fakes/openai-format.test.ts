// The OpenAI fake, driven by the official `openai` SDK: if the SDK parses it, the proxy's
// clients will too.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { synthesizeReply } from './reply-text.ts';
import { startFakeProvider, type FakeProvider } from './server.ts';

const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('OpenAI fake with the official SDK', () => {
  let fake: FakeProvider;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeProvider({ api: 'openai', apiKey: 'sk-test-key-0123456789' });
    client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-test-key-0123456789', maxRetries: 0 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('a non-streaming completion is a chat.completion with usage details', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.match(data.id, /^chatcmpl-[A-Za-z0-9]{29}$/);
    assert.equal(data.model, 'gpt-4o-mini');
    const choice = data.choices[0]!;
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.message.content, synthesizeReply(messages[0]!.content));
    assert.equal(choice.message.refusal, null);
    assert.equal(data.usage?.prompt_tokens, Math.ceil(messages[0]!.content.length / 4));
    assert.equal(data.usage?.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
    assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(data.usage?.completion_tokens_details?.reasoning_tokens, 0);
    assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
  });

  test('the API key arrives as a bearer token and is recorded', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const request = fake.lastRequest!;
    assert.equal(request.apiKey, 'sk-test-key-0123456789');
    assert.equal(request.headers.authorization, 'Bearer sk-test-key-0123456789');
    assert.equal(request.model, 'gpt-4o-mini');
    assert.equal(request.operation, 'generate');
    assert.deepEqual((request.body as { messages: unknown }).messages, messages);
  });

  test('a wrong API key gets AuthenticationError with invalid_api_key', async () => {
    const wrong = new OpenAI({
      baseURL: fake.url,
      apiKey: 'sk-wrong-key-0123456789',
      maxRetries: 0,
    });
    const error = await wrong.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.code, 'invalid_api_key');
    assert.doesNotMatch(error.message, /sk-wrong-key-0123456789/);
  });

  test('a stream with include_usage ends with a usage chunk and the same text', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, synthesizeReply(messages[0]!.content));
    const finish = chunks.at(-2)!;
    assert.equal(finish.choices[0]!.finish_reason, 'stop');
    const usage = chunks.at(-1)!;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage?.prompt_tokens, Math.ceil(messages[0]!.content.length / 4));
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
  });

  test('a stream without include_usage carries no usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((chunk) => chunk.usage === undefined));
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
  });

  test('scripted tool calls come back whole, and streamed in fragments that reassemble', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
      },
    ];
    const call = { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } };
    fake.script([{ toolCalls: [call] }, { toolCalls: [call] }]);
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const message = whole.choices[0]!.message;
    assert.equal(whole.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(message.content, null);
    const toolCall = message.tool_calls![0]!;
    assert.equal(toolCall.type, 'function');
    assert.match(toolCall.id, /^call_[A-Za-z0-9]{24}$/);
    assert.ok(toolCall.type === 'function');
    assert.deepEqual(JSON.parse(toolCall.function.arguments), call.arguments);

    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages, tools });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls![0]!;
    assert.ok(streamed.type === 'function');
    assert.equal(streamed.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(streamed.function.arguments), call.arguments);
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
  });

  test('a forced tool_choice gets a call to that tool without scripting', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    assert.ok(call.type === 'function');
    assert.equal(call.function.name, 'lookup');
  });

  test('max_tokens truncates the reply with finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_tokens: 3,
    });
    assert.equal(completion.choices[0]!.finish_reason, 'length');
    assert.equal(completion.choices[0]!.message.content!.length, 12);
    assert.equal(completion.usage?.completion_tokens, 3);
  });

  test('json mode answers with JSON content', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_object' },
    });
    assert.equal(typeof JSON.parse(completion.choices[0]!.message.content!), 'object');
  });

  test('usage overrides report cached and reasoning tokens', async () => {
    fake.script({
      reply: 'ok',
      usage: { inputTokens: 1000, cachedInputTokens: 600, outputTokens: 300, reasoningTokens: 200 },
    });
    const completion = await client.chat.completions.create({ model: 'o4-mini', messages });
    assert.deepEqual(completion.usage, {
      prompt_tokens: 1000,
      completion_tokens: 300,
      total_tokens: 1300,
      prompt_tokens_details: { cached_tokens: 600, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 200,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  test('a scripted 429 is a RateLimitError with rate_limit_exceeded and Retry-After', async () => {
    fake.script({ status: 429, retryAfterSeconds: 3 });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'requests');
    assert.equal(error.headers?.get('retry-after'), '3');
  });

  test('a context-length error has the real code and message', async () => {
    fake.script({ contextLengthExceeded: true });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    assert.ok(error instanceof BadRequestError);
    assert.equal(error.code, 'context_length_exceeded');
    assert.equal(error.param, 'messages');
    assert.match(error.message, /maximum context length is 128000 tokens/);
  });

  test('a prompt above contextWindowTokens is rejected without scripting', async () => {
    const small = await startFakeProvider({ api: 'openai', contextWindowTokens: 5 });
    try {
      const sdk = new OpenAI({ baseURL: small.url, apiKey: 'k', maxRetries: 0 });
      const error = await sdk.chat.completions
        .create({ model: 'm', messages })
        .catch((e: unknown) => e);
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.code, 'context_length_exceeded');
      assert.match(
        error.message,
        /maximum context length is 5 tokens\. However, your messages resulted in 8 tokens/,
      );
    } finally {
      await small.close();
    }
  });

  test('5xx answers are InternalServerError with a server_error body', async () => {
    fake.script([{ status: 500 }, { status: 503 }]);
    for (const status of [500, 503]) {
      const error = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages })
        .catch((e: unknown) => e);
      assert.ok(error instanceof InternalServerError);
      assert.equal(error.status, status);
      assert.equal(error.type, 'server_error');
    }
  });

  test('an invalid request gets the API validation error', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof BadRequestError);
    assert.equal(error.param, 'messages');
    assert.equal(error.code, 'empty_array');
  });

  test('a blocked prompt is a 400 invalid_prompt', async () => {
    fake.script({ promptBlocked: true });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    assert.ok(error instanceof BadRequestError);
    assert.equal(error.code, 'invalid_prompt');
  });

  test('an empty answer has empty content', async () => {
    fake.script({ emptyContent: true });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(completion.choices[0]!.message.content, '');
    assert.equal(completion.usage?.completion_tokens, 0);
  });

  test('embeddings decode from base64 (the SDK default) to unit vectors, deterministically', async () => {
    const input = ['the quick brown fox', 'the quick brown fox', 'an unrelated sentence'];
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    assert.equal(
      fake.lastRequest?.body &&
        (fake.lastRequest.body as { encoding_format: string }).encoding_format,
      'base64',
    );
    assert.equal(result.object, 'list');
    assert.equal(result.data.length, 3);
    const [a, b, c] = result.data.map((item) => item.embedding);
    assert.equal(a!.length, 64);
    assert.ok(Math.abs(Math.hypot(...a!) - 1) < 1e-5);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(result.usage.prompt_tokens, 5 + 5 + 6);
    assert.equal(result.usage.total_tokens, result.usage.prompt_tokens);
  });

  test('embeddings honour dimensions and encoding_format float', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello world',
      dimensions: 16,
      encoding_format: 'float',
    });
    assert.equal(result.data[0]!.embedding.length, 16);
    assert.equal(result.data[0]!.index, 0);
    assert.equal(result.data[0]!.object, 'embedding');
  });

  test('models are listed, and an unlisted model is NotFoundError when a list is given', async () => {
    const page = await client.models.list();
    assert.ok(page.data.some((model) => model.id === 'gpt-4o-mini'));
    const strict = await startFakeProvider({ api: 'openai', models: ['only-this'] });
    try {
      const sdk = new OpenAI({ baseURL: strict.url, apiKey: 'k', maxRetries: 0 });
      const error = await sdk.chat.completions
        .create({ model: 'other', messages })
        .catch((e: unknown) => e);
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.code, 'model_not_found');
    } finally {
      await strict.close();
    }
  });
});
