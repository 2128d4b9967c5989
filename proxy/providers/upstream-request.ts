import type { UpstreamRequest, UpstreamTarget } from './adapter.ts';

/**
 * Headers for a JSON request: the provider's static headers from config, then the
 * authentication header, which config headers cannot override.
 */
export function jsonHeaders(
  target: UpstreamTarget,
  auth: Record<string, string>,
  defaults: Record<string, string> = {},
): Record<string, string> {
  return { 'content-type': 'application/json', ...defaults, ...target.headers, ...auth };
}

/** A POST with a JSON body. */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): UpstreamRequest {
  return { url, method: 'POST', headers, body: JSON.stringify(body) };
}

/** `baseURL` joined with a path, tolerating a trailing slash in the config. */
export function joinURL(baseURL: string, path: string): string {
  return baseURL.endsWith('/') ? baseURL.slice(0, -1) + path : baseURL + path;
}
