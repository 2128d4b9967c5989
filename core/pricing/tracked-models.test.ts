import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawObject } from '../compile/snapshot.ts';
import { trackedModelsOf } from './tracked-models.ts';

const provider = (namespace: string, name: string, models: unknown[]): RawObject => ({
  metadata: { name, namespace },
  spec: { api: 'openai', models },
});

const model = (name: string, feedRef?: Record<string, unknown>, contextWindow = 128000) => ({
  name,
  contextWindow,
  pricing: { inputPerMillion: 2.5, outputPerMillion: 10, ...(feedRef ? { feedRef } : {}) },
});

test('the models a feed must track are those its namespace references, with their static prices', () => {
  const tracked = trackedModelsOf('ai', 'openrouter', [
    provider('ai', 'one', [
      model('gpt-4o', { name: 'openrouter', id: 'openai/gpt-4o' }),
      model('static'),
      model('other-feed', { name: 'litellm', id: 'gpt-4o' }),
    ]),
    provider('ai', 'two', [
      model(
        'four-o',
        { name: 'openrouter', id: 'openai/gpt-4o', followContextWindow: true },
        64000,
      ),
    ]),
    provider('elsewhere', 'three', [model('x', { name: 'openrouter', id: 'openai/x' })]),
    provider('ai', 'broken', [{ name: 'no-pricing', contextWindow: 1 }]),
  ]);
  assert.deepEqual(tracked, [
    {
      id: 'openai/gpt-4o',
      baselines: [
        { inputPerMillion: 2.5, outputPerMillion: 10, contextWindow: 128000 },
        { inputPerMillion: 2.5, outputPerMillion: 10, contextWindow: 64000 },
      ],
      followContextWindow: true,
    },
  ]);
});
