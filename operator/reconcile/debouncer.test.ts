import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Debouncer } from './debouncer.ts';

test('a burst of triggers becomes one run after the quiet period', async () => {
  let runs = 0;
  const debouncer = new Debouncer(() => Promise.resolve(void runs++), {
    quietMs: 40,
    maxWaitMs: 1000,
  });
  for (let index = 0; index < 20; index++) {
    debouncer.trigger();
    await delay(2);
  }
  await delay(120);
  assert.equal(runs, 1);
  await debouncer.stop();
});

test('a steady stream of triggers still runs once per maximum wait', async () => {
  let runs = 0;
  const debouncer = new Debouncer(() => Promise.resolve(void runs++), {
    quietMs: 50,
    maxWaitMs: 150,
  });
  const until = performance.now() + 500;
  while (performance.now() < until) {
    debouncer.trigger();
    await delay(10);
  }
  await debouncer.stop();
  assert.ok(runs >= 2 && runs <= 5, `${runs} runs`);
});

test('a trigger during a run causes exactly one more run, never an overlap', async () => {
  let running = 0;
  let overlaps = 0;
  let runs = 0;
  const debouncer = new Debouncer(
    async () => {
      running++;
      if (running > 1) overlaps++;
      runs++;
      await delay(60);
      running--;
    },
    { quietMs: 5, maxWaitMs: 50 },
  );
  debouncer.trigger();
  await delay(20);
  for (let index = 0; index < 5; index++) debouncer.trigger();
  await delay(200);
  await debouncer.stop();
  assert.equal(overlaps, 0);
  assert.equal(runs, 2);
});

test('a failing run does not stop later runs', async () => {
  let runs = 0;
  const debouncer = new Debouncer(
    () => {
      runs++;
      return Promise.reject(new Error('boom'));
    },
    { quietMs: 5, maxWaitMs: 20 },
  );
  debouncer.trigger();
  await delay(30);
  debouncer.trigger();
  await delay(30);
  await debouncer.stop();
  assert.equal(runs, 2);
});
