// Server-sent-event framing as the providers write it. The framing differs in small ways that
// real clients must tolerate: OpenAI and Gemini send bare `data:` lines, Anthropic names every
// event, and Gemini ends events with CRLF pairs.

/** A `data:` event with LF framing (OpenAI). */
export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

/** A `data:` event with CRLF framing (Gemini). */
export function sseDataCrlf(json: string): string {
  return `data: ${json}\r\n\r\n`;
}

/** A named event (Anthropic). */
export function sseEvent(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}

/**
 * Breaks the JSON of a body, or of the last event of a frame: keeps the framing (`event:`/`data:`
 * prefix and the trailing blank line) but cuts the JSON in half, so the client sees a complete
 * event whose payload does not parse, the failure mode of a truncating upstream.
 */
export function breakJson(frame: string): string {
  const dataAt = frame.lastIndexOf('data: ');
  const start = dataAt < 0 ? 0 : dataAt + 'data: '.length;
  const end = frame.search(/[\r\n]*$/);
  const json = frame.slice(start, end);
  const kept = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
  return frame.slice(0, start) + kept + frame.slice(end);
}
