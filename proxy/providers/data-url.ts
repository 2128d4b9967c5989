/** The parts of a base64 `data:` URL. */
export interface DataURL {
  mediaType: string;
  data: string;
}

/**
 * Splits `data:<media type>[;params];base64,<data>` without copying the (possibly megabytes of)
 * data more than once. Returns undefined for anything else, including non-base64 data URLs.
 */
export function parseDataURL(url: string): DataURL | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma);
  const params = meta.split(';');
  if (params[params.length - 1]?.toLowerCase() !== 'base64') return undefined;
  const mediaType =
    params[0] === undefined || params[0] === '' ? 'application/octet-stream' : params[0];
  return { mediaType: mediaType.toLowerCase(), data: url.slice(comma + 1) };
}

/** True for an http or https URL. */
export function isHttpURL(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('http://');
}
