import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  header,
  parseDuration,
  parseRetryAfter,
  redactSecrets,
  retryAfterFromHeaders,
} from './upstream-errors.ts';

const NOW = Date.parse('2026-10-21T07:28:00Z');

test('Retry-After as seconds, as an HTTP date, and as garbage', () => {
  assert.equal(parseRetryAfter('17', NOW), 17000);
  assert.equal(parseRetryAfter('1.5', NOW), 1500);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', NOW), 30000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', NOW), 0, 'a past date means now');
  assert.equal(parseRetryAfter('soon', NOW), undefined);
});

test('Go-style durations from OpenAI and Google', () => {
  assert.equal(parseDuration('6m0s'), 360000);
  assert.equal(parseDuration('1.804s'), 1804);
  assert.equal(parseDuration('20ms'), 20);
  assert.equal(parseDuration('1h2m'), 3720000);
  assert.equal(parseDuration('32s'), 32000);
  assert.equal(parseDuration('n/a'), undefined);
});

test('retry-after-ms wins over retry-after; reset hints are the fallback', () => {
  assert.equal(retryAfterFromHeaders({ 'retry-after-ms': '250', 'retry-after': '3' }, NOW), 250);
  assert.equal(
    retryAfterFromHeaders(
      { 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '500ms' },
      NOW,
    ),
    500,
  );
  assert.equal(retryAfterFromHeaders({}, NOW), undefined);
});

test('header lookup tolerates case and repeated headers', () => {
  assert.equal(header({ 'Retry-After': '3' }, 'retry-after'), '3');
  assert.equal(header({ 'retry-after': ['4', '5'] }, 'retry-after'), '4');
});

test('keys never survive into a message', () => {
  const message = redactSecrets(
    'Incorrect API key provided: sk-proj-abc123def456. Key AIzaSyA1b2C3d4E5f6G7h8I9j0 rejected; Bearer eyJhbGciOi.x.y; token ' +
      'a'.repeat(48),
  );
  for (const secret of [
    'sk-proj-abc123def456',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0',
    'eyJhbGciOi',
    'a'.repeat(48),
  ]) {
    assert.ok(!message.includes(secret), message);
  }
  assert.ok(message.startsWith('Incorrect API key provided: [redacted]'));
});
