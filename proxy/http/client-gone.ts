import type { ServerResponse } from 'node:http';

/**
 * A signal that aborts when the client goes away before its response finished, so every upstream
 * attempt made for it is cancelled instead of running (and billing) for nobody.
 */
export function abortWhenClientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
