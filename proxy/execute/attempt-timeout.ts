/** The abort reason used when an attempt's own timer fires. */
export class AttemptTimeout extends Error {
  constructor() {
    super('attempt timed out');
    this.name = 'AttemptTimeout';
  }
}

/** True when a signal was aborted by an attempt timer rather than by the client or a hedge. */
export function abortedByTimeout(signal: AbortSignal): boolean {
  return signal.reason instanceof AttemptTimeout;
}
