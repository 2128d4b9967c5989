// `switchyard serve --kube` with access it cannot use: one line naming what to fix, exit code 2,
// and the process ends (it used to print the error and hang with its servers open).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasStackTrace, switchyardAsync, tempManifests } from './run-switchyard.ts';

const serve = (kubeconfig: string) =>
  switchyardAsync('serve', '--kube', '--kubeconfig', kubeconfig, '--port', '0');

test(
  'a kubeconfig that is missing or has no usable server is refused before anything listens',
  { timeout: 30_000 },
  async () => {
    const { dir, cleanup } = tempManifests({
      'no-url.yaml': JSON.stringify({
        'current-context': 'c',
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
        clusters: [{ name: 'k', cluster: { server: 'not a url' } }],
      }),
    });
    try {
      const [missing, noUrl] = await Promise.all([
        serve(`${dir}/absent.yaml`),
        serve(`${dir}/no-url.yaml`),
      ]);
      for (const run of [missing, noUrl]) {
        assert.equal(run.status, 2, run.output);
        assert.equal(hasStackTrace(run.output), false, run.output);
      }
      assert.match(missing.stderr, /kubeconfig .*absent\.yaml: cannot read it: ENOENT/);
      assert.match(noUrl.stderr, /kubeconfig .*no-url\.yaml: server "not a url" is not a URL/);
    } finally {
      cleanup();
    }
  },
);
