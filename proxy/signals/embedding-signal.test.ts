import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig, testInput, testRoute } from '../../core/routing/fixtures.test-support.ts';
import { buildRouteIndex } from '../../core/routing/route-index.ts';
import { EmbeddingSignal, type EmbedTexts } from './embedding-signal.ts';

// Texts embed to fixed 2-d vectors: "hard…" points one way, "easy…" the other, "both…" between.
const vectorFor = (text: string) =>
  text.startsWith('hard')
    ? Float32Array.from([1, 0])
    : text.startsWith('easy')
      ? Float32Array.from([0, 1])
      : Float32Array.from([1, 1]);

function setup(options: { fail?: () => boolean; sensitivePool?: boolean } = {}) {
  const calls: string[][] = [];
  let clock = 0;
  const embed: EmbedTexts = (_target, texts, signal) => {
    calls.push([...texts]);
    if (options.fail?.() === true) return Promise.reject(new Error('refused'));
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return Promise.resolve(texts.map(vectorFor));
  };
  const route = buildRouteIndex(
    testConfig(
      testRoute({
        classification: {
          default: 'budget',
          rules: [],
          allowClientTier: false,
          embeddings: {
            provider: 'openai',
            model: 'gpt-mini',
            exemplars: [
              { text: 'hard one', tier: 'premium' },
              { text: 'hard two', tier: 'premium' },
              { text: 'easy one', tier: 'budget' },
              { text: 'easy two', tier: 'budget' },
            ],
            k: 4,
            minConfidence: 0.8,
            timeoutMs: 100,
            failuresToOpen: 2,
            cooldownSeconds: 10,
          },
        },
        ...(options.sensitivePool === true
          ? {
              governance: {
                sensitive: { header: 'x-sensitive', patterns: [] },
                pool: { regions: ['mars'] },
              },
            }
          : {}),
      }),
    ),
  );
  const alias = route.routes.get('auto')!;
  const target = route.targets.get('openai/gpt-mini')!;
  const signal = new EmbeddingSignal(embed, () => clock);
  const ask = (text: string, sensitive = false) =>
    signal.classify(alias, target, testInput({ lastUserText: text }), sensitive);
  return { signal, alias, target, calls, ask, advance: (ms: number) => (clock += ms) };
}

test('the signal warms its exemplars first, then decides, or is unsure between them', async () => {
  const s = setup();
  assert.equal((await s.ask('hard question')).outcome, 'warming');
  assert.ok(await s.signal.warm(s.alias, s.target));
  assert.deepEqual(await s.ask('hard question'), {
    outcome: 'decided',
    tier: 'premium',
    confidence: 1,
    called: true,
  });
  assert.equal((await s.ask('easy question')).tier, 'budget');
  const between = await s.ask('both at once');
  assert.equal(between.outcome, 'unsure');
  assert.equal(between.tier, undefined);
  // Cached: asking again makes no call.
  const calls = s.calls.length;
  assert.equal((await s.ask('hard question')).called, false);
  assert.equal(s.calls.length, calls);
});

test('failures open the circuit for the cooldown, then one trial call is let through', async () => {
  let failing = false;
  const s = setup({ fail: () => failing });
  await s.signal.warm(s.alias, s.target);
  failing = true;
  assert.equal((await s.ask('hard 1')).outcome, 'error');
  assert.equal((await s.ask('hard 2')).outcome, 'error');
  assert.equal((await s.ask('hard 3')).outcome, 'skipped_circuit_open');
  s.advance(10_001);
  failing = false;
  assert.equal((await s.ask('hard 4')).outcome, 'decided');
  assert.equal((await s.ask('hard 5')).outcome, 'decided');
});

test('a sensitive request never reaches an embeddings model outside its pool', async () => {
  const s = setup({ sensitivePool: true });
  assert.equal((await s.ask('hard question', true)).outcome, 'skipped_outside_pool');
  assert.deepEqual(s.calls, []);
});
