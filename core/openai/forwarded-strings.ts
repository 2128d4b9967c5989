/**
 * Characters of forwarded text that sensitivity patterns scan at most. Matching is linear, so this
 * bounds the time one request can spend in it (about 20 ms for all patterns of a policy at once);
 * a request with more text than this is treated as sensitive without scanning: fail closed.
 */
export const SENSITIVE_SCAN_CHARS = 1_048_576;

/** Media types of `data:` URLs whose bytes are text a pattern can read. */
const TEXT_MEDIA = /^(text\/|application\/(json|xml|csv|x-ndjson|yaml)\b)/;

/**
 * Every string a provider adapter may forward from a chat request, for the sensitivity patterns:
 * the OpenAI adapter forwards the body as the client sent it, unknown fields included, so this is
 * every string value and every object key in it (tools and their descriptions, schemas,
 * `prediction`, `metadata`, `user`, file names, fields no adapter knows…), not only the messages'
 * text. Left out: the top-level `model` (replaced by the upstream name) and encoded media bytes
 * (base64 images, audio and non-text files), which no pattern can read. Text files sent as
 * `data:` URLs are decoded and scanned.
 *
 * The strings are joined by newlines and normalised for matching (`normaliseForMatching`).
 * Returns undefined when they exceed `maxChars`: the caller must then fail closed.
 */
export function forwardedStrings(
  request: unknown,
  maxChars: number = SENSITIVE_SCAN_CHARS,
): string | undefined {
  const parts: string[] = [];
  let chars = 0;
  const add = (text: string): boolean => {
    chars += text.length + 1;
    if (chars > maxChars) return false;
    parts.push(text);
    return true;
  };
  // Iterative: the depth of a request is bounded when it is parsed, but a walk never overflows.
  const stack: { value: unknown; key: string; parentKey: string }[] = [];
  for (const [key, value] of entries(request)) {
    if (key !== 'model') stack.push({ value, key, parentKey: '' });
  }
  while (stack.length > 0) {
    const { value, key, parentKey } = stack.pop() as (typeof stack)[number];
    if (key !== '' && !add(key)) return undefined;
    if (typeof value === 'string') {
      const text = readableText(value, key, parentKey);
      if (text !== undefined && !add(text)) return undefined;
    } else if (value !== null && typeof value === 'object') {
      for (const [childKey, child] of entries(value)) {
        stack.push({ value: child, key: childKey, parentKey: key });
      }
    }
  }
  return normaliseForMatching(parts.join('\n'));
}

function entries(value: unknown): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.map((item) => ['', item]);
  return Object.entries(value);
}

/**
 * The text a pattern should read in a string: itself, the decoded text of a `data:` URL with a
 * text media type, or nothing for encoded media (an image's, a PDF's or an audio clip's bytes).
 */
function readableText(value: string, key: string, parentKey: string): string | undefined {
  if (parentKey === 'input_audio' && key === 'data') return undefined;
  const mayCarryBytes = key === 'file_data' || key === 'url' || key === 'image_url';
  if (!mayCarryBytes || !value.startsWith('data:')) return value;
  return dataURLText(value);
}

/** The text of a `data:` URL with a text media type; undefined for binary media. */
function dataURLText(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma === -1) return url;
  const header = url.slice(5, comma).toLowerCase();
  const payload = url.slice(comma + 1);
  const base64 = header.endsWith(';base64');
  if (!TEXT_MEDIA.test(header) && header !== '' && header !== ';base64') return undefined;
  if (!base64) return payload;
  try {
    const binary = atob(payload);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return payload; // not valid base64: the provider gets it as it is, so scan it as it is
  }
}

/**
 * Text as sensitivity patterns see it: Unicode NFKC (full-width digits `１２３` become `123`,
 * ligatures and compatibility forms their plain letters), then without format characters
 * (zero-width spaces and joiners, soft hyphens), which split a number for a pattern but not for a
 * reader. ASCII text, the common case, is returned as it is.
 */
export function normaliseForMatching(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.normalize('NFKC').replace(FORMAT_CHARACTERS, '');
}

// Single character classes: no backtracking, linear in the text on V8's engine.
// eslint-disable-next-line no-control-regex -- "anything outside ASCII" includes its control range
const NON_ASCII = /[^\x00-\x7f]/;
const FORMAT_CHARACTERS = /\p{Cf}/gu;
