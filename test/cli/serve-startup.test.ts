// How `switchyard serve` starts when what it is given is broken or missing: it says so, and it
// never serves in a state the user did not ask for (an open API, an empty config).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasStackTrace, switchyard, tempManifests } from './run-switchyard.ts';

test('an empty keys file is an error, not an open API', () => {
  const keys = tempManifests({ keys: '# no keys yet\n' });
  try {
    const run = switchyard(
      'serve',
      '--manifests',
      'demo',
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--host',
      '127.0.0.1',
      '--api-keys-file',
      `${keys.dir}/keys`,
    );
    assert.equal(run.status, 2, run.output);
    assert.match(run.stderr, /lists no keys: refusing to start with client authentication off/);
    assert.ok(!hasStackTrace(run.output), run.output);
  } finally {
    keys.cleanup();
  }
});
