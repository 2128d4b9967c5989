// Sensitive data never leaves its governance pool, whatever field of the request carries it.
// A property test: for request shapes the adapters accept, a marker matching the policy's pattern
// placed in any one forwarded string (or object key) sends the request to the in-pool provider
// only. The same request without the marker goes to the out-of-pool providers first, so the test
// fails when detection misses a field.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import fc from 'fast-check';
import { policy, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;

before(async () => {
  fx = await startProxyFixture();
  fx.apply({
    policies: [
      policy('governed', {
        model: 'governed',
        tiers: [
          {
            name: 'all',
            strategy: 'ordered',
            // Out-of-pool providers of all three APIs first, the in-pool one last.
            targets: [
              { provider: 'claude', model: 'sonnet' },
              { provider: 'gemini', model: 'flash' },
              { provider: 'cheap', model: 'small' },
              { provider: 'backup', model: 'medium' },
            ],
          },
        ],
        failover: { attemptTimeoutMs: 2000, ttftTimeoutMs: 1000, retries: { max: 0 } },
        governance: {
          sensitive: { patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] },
          pool: { zeroDataRetention: true, trainsOnData: false, regions: ['eu'] },
        },
      }),
    ],
  });
});
after(async () => {
  await fx.close();
});
beforeEach(() => {
  for (const fake of Object.values(fx.fakes)) fake.reset();
  fx.proxy.ctx.health.reset();
});

const OUT_OF_POOL = ['claude', 'gemini', 'cheap'] as const;

/** Chat and embedding requests each fake received (health probes aside). */
function received(name: keyof ProxyFixture['fakes']): number {
  return fx.fakes[name].requests.filter((r) => r.method === 'POST').length;
}

async function send(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The ways an SSN can be written that a reader (and a model) still reads as one. */
const MARKERS = [
  '123-45-6789',
  '１２３-４５-６７８９', // full-width digits
  '１２３－４５－６７８９', // full-width digits and hyphens
  '123\u200b-45-6789', // a zero-width space
  '12\u00ad3-45-6789', // a soft hyphen
];

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));

const textPart = words.map((text) => ({ type: 'text', text }));
const imagePart = word.map((w) => ({
  type: 'image_url',
  image_url: { url: `https://images.test/${w}.png`, detail: 'low' },
}));
const filePart = fc.record({ name: word, text: words }).map(({ name, text }) => ({
  type: 'file',
  file: { filename: `${name}.txt`, file_data: `data:text/plain;base64,${btoa(text)}` },
}));

const userMessage = fc.record(
  {
    role: fc.constant('user'),
    content: fc.oneof(
      words,
      fc.array(fc.oneof(textPart, imagePart, filePart), { minLength: 1, maxLength: 3 }),
    ),
    name: word,
    x_client_note: words, // a field no adapter knows
  },
  { requiredKeys: ['role', 'content'] },
);
const systemMessage = fc.record({
  role: fc.constantFrom('system', 'developer'),
  content: fc.oneof(words, fc.array(textPart, { minLength: 1, maxLength: 2 })),
});
const toolExchange = fc
  .record({ name: word, args: words, result: words, id: word })
  .map(({ name, args, result, id }) => [
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: `call_${id}`,
          type: 'function',
          function: { name: `fn_${name}`, arguments: JSON.stringify({ q: args }) },
        },
      ],
    },
    { role: 'tool', tool_call_id: `call_${id}`, content: result },
  ]);

const tool = fc
  .record({ name: word, description: words, param: word, paramDescription: words })
  .map(({ name, description, param, paramDescription }) => ({
    type: 'function',
    function: {
      name: `fn_${name}`,
      description,
      parameters: {
        type: 'object',
        properties: { [param]: { type: 'string', description: paramDescription } },
      },
    },
  }));

const chatRequest = fc
  .record(
    {
      system: fc.option(systemMessage, { nil: undefined }),
      history: fc.option(toolExchange, { nil: undefined }),
      user: userMessage,
      tools: fc.array(tool, { minLength: 1, maxLength: 2 }),
      response_format: fc
        .record({ name: word, description: words, property: word })
        .map(({ name, description, property }) => ({
          type: 'json_schema',
          json_schema: {
            name: `s_${name}`,
            description,
            schema: { type: 'object', description, properties: { [property]: { type: 'string' } } },
          },
        })),
      prediction: words.map((content) => ({ type: 'content', content })),
      metadata: fc.dictionary(word, words, { minKeys: 1, maxKeys: 2 }),
      user_id: words,
      stop: fc.array(word, { minLength: 1, maxLength: 2 }),
      vendor_extension: fc.record({ notes: fc.array(words, { minLength: 1, maxLength: 2 }) }),
    },
    { requiredKeys: ['user'] },
  )
  .map(({ system, history, user, user_id, ...rest }) => {
    const request: Record<string, unknown> = {
      model: 'governed',
      messages: [...(system === undefined ? [] : [system]), user, ...(history ?? [])],
      ...rest,
    };
    if (user_id !== undefined) request['user'] = user_id;
    return request;
  });

/** Fields whose values select a shape (roles, part types) or carry encoded bytes: not free text. */
const STRUCTURAL = new Set(['model', 'role', 'type', 'detail', 'file_data']);

/** Where a free-text string or a free object key sits: a path from the request's root. */
type Slot = { path: (string | number)[]; key: boolean };

function slotsOf(value: unknown, path: (string | number)[] = [], slots: Slot[] = []): Slot[] {
  if (typeof value === 'string') {
    if (!STRUCTURAL.has(String(path.at(-1)))) slots.push({ path, key: false });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => slotsOf(item, [...path, i], slots));
  } else if (value !== null && typeof value === 'object') {
    const parent = path.at(-1);
    for (const [k, v] of Object.entries(value)) {
      // Keys the client chooses freely: metadata keys and schema property names.
      if (parent === 'metadata' || parent === 'properties')
        slots.push({ path: [...path, k], key: true });
      slotsOf(v, [...path, k], slots);
    }
  }
  return slots;
}

/** A copy of `request` with `marker` written into one slot. */
function withMarker(
  request: Record<string, unknown>,
  slot: Slot,
  marker: string,
): Record<string, unknown> {
  const copy = structuredClone(request);
  const parentPath = slot.path.slice(0, -1);
  const last = slot.path.at(-1) as string | number;
  let parent: Record<string | number, unknown> = copy;
  for (const step of parentPath) parent = parent[step] as Record<string | number, unknown>;
  if (slot.key) {
    parent[`${String(last)} ${marker}`] = parent[last];
    delete parent[last];
  } else if (last === 'arguments') {
    parent[last] = JSON.stringify({ q: `see ${marker}` }); // arguments stay JSON
  } else {
    parent[last] = `${String(parent[last])} ${marker} ok`;
  }
  return copy;
}

test('a marker in any forwarded string or key of any request shape never reaches a provider outside the pool', async () => {
  await fc.assert(
    fc.asyncProperty(
      chatRequest,
      fc.nat(),
      fc.constantFrom(...MARKERS),
      fc.boolean(),
      async (request, slotChoice, marker, stream) => {
        const shaped = { ...request, ...(stream ? { stream: true } : {}) };
        const slots = slotsOf(shaped);
        const slot = slots[slotChoice % slots.length]!;
        const marked = withMarker(shaped, slot, marker);
        for (const fake of Object.values(fx.fakes)) fake.reset();
        const response = await send(marked);
        const text = await response.text();
        const where = `marker in ${slot.key ? 'the key ' : ''}${slot.path.join('.')}`;
        for (const name of OUT_OF_POOL) assert.equal(received(name), 0, `${where} reached ${name}`);
        assert.equal(
          received('backup'),
          1,
          `${where}: the in-pool provider got ${received('backup')}: ${text}`,
        );
        assert.equal(response.status, 200, `${where}: ${text}`);
        // Without the marker, the same request goes to the cheaper providers outside the pool.
        for (const fake of Object.values(fx.fakes)) fake.reset();
        await (await send(shaped)).text();
        assert.ok(
          OUT_OF_POOL.some((name) => received(name) > 0),
          'the unmarked request should have been served outside the pool',
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('the sensitivity header binds a request naming an out-of-pool model directly: 422, and it says why', async () => {
  const response = await send(
    { model: 'cheap/small', messages: [{ role: 'user', content: 'hi' }] },
    { 'x-switchyard-sensitivity': 'pii' },
  );
  const body = (await response.json()) as {
    error: { code: string; message: string; switchyard_origin: string };
  };
  assert.equal(response.status, 422);
  assert.equal(body.error.code, 'governance_no_target');
  assert.equal(body.error.switchyard_origin, 'policy');
  assert.match(body.error.message, /cheap\/small is outside the governance pool/);
  assert.equal(received('cheap'), 0);
});

test('the sensitivity header binds embeddings requests too', async () => {
  const response = await fetch(`${fx.proxy.url}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-switchyard-sensitivity': 'pii' },
    body: JSON.stringify({ model: 'cheap/embed', input: 'my ssn' }),
  });
  assert.equal(response.status, 422);
  await response.text();
  assert.equal(received('cheap'), 0);
});

test('a sensitive request naming an in-pool model directly is served', async () => {
  const response = await send(
    { model: 'backup/medium', messages: [{ role: 'user', content: 'hi' }] },
    { 'x-switchyard-sensitivity': 'pii' },
  );
  assert.equal(response.status, 200, await response.text());
  assert.equal(received('backup'), 1);
});
