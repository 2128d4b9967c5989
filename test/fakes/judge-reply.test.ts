import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeRequest } from '../../core/quality/judge-prompt.ts';
import { parseJudgeAnswer } from '../../core/quality/judge-verdict.ts';
import type { RouteConfig } from '../../core/config/router-config.ts';
import { FAKE_DEGRADED_MARKER, FAKE_JUDGE_SCORES, judgeReply } from './judge-reply.ts';
import { startFakeProvider } from './server.ts';

const quality = {
  judge: { provider: 'judge', model: 'sonnet' },
  samplePercent: 100,
  tierSamplePercent: {},
  timeoutMs: 1000,
  floor: 7,
  maxConcurrency: 1,
  queueSize: 1,
  export: { maxSamples: 0, includeRequestText: false },
} satisfies NonNullable<RouteConfig['quality']>;

test("the fake judge recognises the proxy's judge prompt and scores by the marker", () => {
  const grade = (answer: string) => {
    const request = judgeRequest(quality, [{ role: 'user', content: 'Hi' }], answer, 'sonnet');
    const [system, user] = request.messages.map((m) => m.content as string);
    return parseJudgeAnswer(judgeReply(system ?? '', user ?? '') ?? '')?.score;
  };
  assert.equal(grade('Hello there.'), FAKE_JUDGE_SCORES.good);
  assert.equal(grade(`Hello there. ${FAKE_DEGRADED_MARKER}`), FAKE_JUDGE_SCORES.degraded);
  assert.equal(judgeReply('You are a helpful assistant.', 'Hi'), undefined, 'not a judge prompt');
});

test('a fake scripted as degraded appends the marker, streamed or not', async () => {
  const fake = await startFakeProvider({ api: 'openai', defaultScript: { degraded: true } });
  try {
    const post = async (stream: boolean) => {
      const res = await fetch(`${fake.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      return res.text();
    };
    assert.ok((await post(false)).includes(FAKE_DEGRADED_MARKER));
    assert.ok((await post(true)).includes('degraded'));
  } finally {
    await fake.close();
  }
});
