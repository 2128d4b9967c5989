import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedStrings, normaliseForMatching } from './forwarded-strings.ts';

const MARK = 'MARK-42';
const base = { model: 'auto', messages: [{ role: 'user', content: 'hi' }] };
const b64 = (text: string) => btoa(text);

test('every string a provider may receive is scanned, wherever the client put it', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      'a tool description',
      { tools: [{ type: 'function', function: { name: 't', description: MARK } }] },
    ],
    [
      'a tool parameter description',
      {
        tools: [
          {
            type: 'function',
            function: {
              name: 't',
              parameters: {
                type: 'object',
                properties: { a: { type: 'string', description: MARK } },
              },
            },
          },
        ],
      },
    ],
    [
      'a json_schema description',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', description: MARK } } },
    ],
    [
      'a schema property name',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { properties: { [MARK]: {} } } },
        },
      },
    ],
    ['prediction', { prediction: { type: 'content', content: MARK } }],
    ['metadata values', { metadata: { k: MARK } }],
    ['metadata keys', { metadata: { [MARK]: 'v' } }],
    ['user', { user: MARK }],
    ['an unknown top-level field', { vendor_extension: { deep: [[MARK]] } }],
    ['an unknown message field', { messages: [{ role: 'user', content: 'hi', x_note: MARK }] }],
    ['a message name', { messages: [{ role: 'user', content: 'hi', name: MARK }] }],
    [
      'a file name',
      {
        messages: [
          { role: 'user', content: [{ type: 'file', file: { file_id: 'f', filename: MARK } }] },
        ],
      },
    ],
    [
      'a text file sent as base64',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'file', file: { file_data: `data:text/plain;base64,${b64(`ssn ${MARK}`)}` } },
            ],
          },
        ],
      },
    ],
    [
      'a plain data URL',
      {
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:,${MARK}` } }] },
        ],
      },
    ],
    [
      'an image URL',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: `https://x.test/${MARK}.png` } }],
          },
        ],
      },
    ],
    [
      'tool call arguments',
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: MARK } }],
          },
        ],
      },
    ],
    ['stop sequences', { stop: [MARK] }],
  ];
  for (const [where, extra] of cases) {
    const text = forwardedStrings({ ...base, ...extra });
    assert.ok(text?.includes(MARK), `${where}: not scanned`);
  }
});

test('the model name and encoded media bytes are not scanned', () => {
  const image = `data:image/png;base64,${b64(MARK)}`;
  const text = forwardedStrings({
    model: MARK,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: image } },
          { type: 'input_audio', input_audio: { data: MARK, format: 'wav' } },
          { type: 'file', file: { file_data: `data:application/pdf;base64,${b64(MARK)}` } },
        ],
      },
    ],
  });
  assert.ok(text !== undefined && !text.includes(MARK), String(text));
});

test('too much text to scan is reported, so the caller fails closed', () => {
  assert.equal(forwardedStrings({ ...base, user: 'x'.repeat(200) }, 100), undefined);
  assert.notEqual(forwardedStrings({ ...base, user: 'x'.repeat(50) }, 100), undefined);
});

test('text is normalised the way a reader sees it: NFKC, no zero-width characters', () => {
  const cases: [string, string, string][] = [
    ['full-width digits and hyphens', '１２３－４５－６７８９', '123-45-6789'],
    ['a zero-width space inside a number', '123\u200b-45-6789', '123-45-6789'],
    ['a soft hyphen and a word joiner', '12\u00ad3-45-\u20606789', '123-45-6789'],
    ['a ligature', 'ﬁle', 'file'],
    ['plain ASCII is left alone', 'plain 123', 'plain 123'],
  ];
  for (const [what, input, expected] of cases)
    assert.equal(normaliseForMatching(input), expected, what);
});
