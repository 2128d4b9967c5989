import type { FakeApi } from './fake-api.ts';

/**
 * The API key a request carries, read where the given API expects it: OpenAI in
 * `Authorization: Bearer`, Anthropic in `x-api-key`, Gemini in `x-goog-api-key` or `?key=`.
 * A key sent in another API's header does not count, as with the real services, so a proxy that
 * puts the key in the wrong place is caught. Header names must be lower-case.
 */
export function apiKeyOf(
  api: FakeApi,
  headers: Readonly<Record<string, string | undefined>>,
  query?: URLSearchParams,
): string | undefined {
  switch (api) {
    case 'openai': {
      const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
      return match?.[1];
    }
    case 'anthropic':
      return headers['x-api-key'];
    case 'gemini':
      return headers['x-goog-api-key'] ?? query?.get('key') ?? undefined;
  }
}
