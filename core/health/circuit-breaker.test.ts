import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from './circuit-breaker.ts';

const settings = {
  consecutiveFailures: 3,
  failureRatePercent: 50,
  minimumRequests: 10,
  windowSeconds: 60,
  cooldownSeconds: 10,
  maxCooldownSeconds: 40,
};

test('the circuit opens after consecutive failures and half-opens after the cooldown', () => {
  const b = new CircuitBreaker(settings);
  for (let i = 0; i < 3; i++) b.recordFailure(1000);
  assert.equal(b.state(1000), 'open');
  assert.equal(b.admit(5000), false);
  assert.equal(b.state(11_000), 'half-open');
});

test('only one trial request passes while half-open, and its success closes the circuit', () => {
  const b = new CircuitBreaker(settings);
  for (let i = 0; i < 3; i++) b.recordFailure(0);
  assert.equal(b.admit(10_000), true);
  assert.equal(b.admit(10_001), false, 'the second caller waits for the trial');
  b.recordSuccess(10_500);
  assert.equal(b.state(10_500), 'closed');
});

test('a failed trial re-opens with a doubled cooldown, capped at the maximum', () => {
  const b = new CircuitBreaker(settings);
  for (let i = 0; i < 3; i++) b.recordFailure(0);
  let t = 10_000;
  for (const cooldown of [20_000, 40_000, 40_000]) {
    assert.equal(b.admit(t), true);
    b.recordFailure(t);
    assert.equal(b.state(t + cooldown - 1), 'open');
    t += cooldown;
    assert.equal(b.state(t), 'half-open');
  }
});

test('failures of requests already in flight do not extend an open cooldown', () => {
  const b = new CircuitBreaker(settings);
  for (let i = 0; i < 3; i++) b.recordFailure(0);
  b.recordFailure(9_000);
  assert.equal(b.state(10_000), 'half-open');
});

test('the failure rate opens the circuit once the minimum number of requests was seen', () => {
  const b = new CircuitBreaker({ ...settings, consecutiveFailures: 100 });
  for (let i = 0; i < 10; i++) {
    b.recordSuccess(i * 100);
    b.recordFailure(i * 100 + 50);
  }
  assert.equal(b.state(2000), 'open');
});
