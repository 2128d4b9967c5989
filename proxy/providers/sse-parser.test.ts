import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sse-parser.ts';

function parse(...pieces: string[]) {
  const parser = new SseParser();
  return [...pieces.flatMap((p) => parser.push(p)), ...parser.end()];
}

test('events end at a blank line; event names and data are read', () => {
  assert.deepEqual(parse('event: ping\ndata: {"a":1}\n\ndata: b\n\n'), [
    { event: 'ping', data: '{"a":1}' },
    { event: '', data: 'b' },
  ]);
});

test('CRLF, CR and LF line ends are all line ends, even when a piece ends between CR and LF', () => {
  const expected = [
    { event: '', data: 'x' },
    { event: '', data: 'y' },
  ];
  assert.deepEqual(parse('data: x\r\n\r\ndata: y\r\n\r\n'), expected);
  assert.deepEqual(parse('data: x\r', '\n\r', '\ndata: y\r\r'), expected);
  assert.deepEqual(parse('data: x\r', '', '\n\r\ndata: y\n\n'), expected);
});

test('comments are keep-alives; several data lines join with newlines; no space after the colon is fine', () => {
  assert.deepEqual(parse(': keep-alive\n\ndata:a\ndata: b\nid: 7\nretry: 10\n\n'), [
    { event: '', data: 'a\nb' },
  ]);
});

test('a last event without its blank line is flushed at end of stream', () => {
  assert.deepEqual(parse('data: tail'), [{ event: '', data: 'tail' }]);
});

test('a line longer than the limit fails the stream instead of growing without end', () => {
  const parser = new SseParser(1000);
  assert.throws(
    () => {
      for (let i = 0; i < 100; i++) parser.push('data: '.concat('x'.repeat(100)));
    },
    (error: Error & { kind?: string }) =>
      error.kind === 'bad_response' && /SSE line longer than 1000 characters/.test(error.message),
  );
});

test('an event of many short data lines past the limit fails the stream too', () => {
  const parser = new SseParser(1000);
  assert.throws(() => {
    for (let i = 0; i < 100; i++) parser.push(`data: ${'y'.repeat(50)}\n`);
  }, /SSE event longer than 1000 characters/);
});

test('events under the limit pass, however many', () => {
  const parser = new SseParser(1000);
  let events = 0;
  for (let i = 0; i < 100; i++) events += parser.push(`data: ${'z'.repeat(900)}\n\n`).length;
  assert.equal(events, 100);
});
