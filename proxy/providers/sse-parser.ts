import { badResponse } from './adapter-error.ts';

/**
 * Characters one line, or one event's data lines together, may hold. A chat chunk is a few
 * hundred; an inline image in an answer a few MB. An upstream sending one endless line (or an
 * endless event) would otherwise grow the proxy's memory until it dies (~1 GB in 20 s seen).
 */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;

/** One server-sent event: its `event:` name (empty when absent) and its joined `data:` lines. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental parser of `text/event-stream` (WHATWG HTML §9.2): text arrives in pieces cut
 * anywhere, even between the `\r` and `\n` of a line break; events come out once their blank
 * line arrived. Lines end in `\n`, `\r\n` or `\r` (Gemini uses `\r\n`). Comments (`:` lines, used
 * as keep-alives) and `id:`/`retry:` fields are ignored. Scanning uses indexOf, not regular
 * expressions, and only the unfinished tail of a piece is kept between calls. A line or an event
 * longer than `maxEventChars` throws a `bad_response` failure: the attempt fails (and fails over
 * if nothing reached the client yet) instead of buffering without end.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #dataChars = 0;
  readonly #maxEventChars: number;

  constructor(maxEventChars: number = MAX_SSE_EVENT_CHARS) {
    this.#maxEventChars = maxEventChars;
  }
  /** A piece ended in `\r`: a `\n` starting the next piece belongs to that line break. */
  #pendingCR = false;

  /** Feeds a piece of the stream; returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (text === '') return events;
    const piece = this.#withoutPendingLF(text);
    if (this.#extendsLine(piece)) return events;
    const buffer = this.#buffer + piece;
    let start = 0;
    // Next LF / CR at or after `start`; -2 = not searched yet, -1 = none left. Searching again
    // only once a position falls behind `start` keeps a push linear in its length.
    let lf = -2;
    let cr = -2;
    for (;;) {
      if (lf !== -1 && lf < start) lf = buffer.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = buffer.indexOf('\r', start);
      if (lf === -1 && cr === -1) break;
      const atCR = cr !== -1 && (lf === -1 || cr < lf);
      this.#line(buffer.slice(start, atCR ? cr : lf), events);
      start = atCR ? this.#afterCR(buffer, cr) : lf + 1;
    }
    this.#keepTail(start === 0 ? buffer : buffer.slice(start));
    return events;
  }

  /** Keeps the unfinished last line for the next piece, within the limit. */
  #keepTail(tail: string): void {
    this.#buffer = tail;
    if (tail.length > this.#maxEventChars) throw this.#tooLong('line');
  }

  /**
   * Appends a piece without line breaks to an unfinished line. Scanning the whole buffer again
   * for every such piece would make a long line cost time quadratic in its length.
   */
  #extendsLine(piece: string): boolean {
    if (this.#buffer === '' || piece.includes('\n') || piece.includes('\r')) return false;
    this.#keepTail(this.#buffer + piece);
    return true;
  }

  #tooLong(what: 'line' | 'event'): Error {
    this.#buffer = '';
    this.#data = [];
    return badResponse(
      `the upstream stream sent an SSE ${what} longer than ${this.#maxEventChars} characters`,
    );
  }

  /** Drops the LF that completes a CRLF split across pieces. */
  #withoutPendingLF(text: string): string {
    const pending = this.#pendingCR;
    this.#pendingCR = false;
    return pending && text.charCodeAt(0) === 10 ? text.slice(1) : text;
  }

  /** Where the next line starts after a CR; a CR at the very end may still get its LF. */
  #afterCR(buffer: string, cr: number): number {
    if (cr + 1 === buffer.length) {
      this.#pendingCR = true;
      return cr + 1;
    }
    return buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
  }

  /** Flushes at end of stream: a final event without its blank line still counts. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.#buffer !== '') this.#line(this.#buffer, events);
    this.#buffer = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) {
        events.push({
          event: this.#event,
          data: this.#data.length === 1 ? (this.#data[0] as string) : this.#data.join('\n'),
        });
      }
      this.#event = '';
      this.#data = [];
      this.#dataChars = 0;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      this.#dataChars += value.length;
      if (this.#dataChars > this.#maxEventChars) throw this.#tooLong('event');
      this.#data.push(value);
    } else if (field === 'event') this.#event = value;
  }
}
