import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operatorOptionsFrom, run } from './command.ts';

test('flags become operator options, seconds become milliseconds', () => {
  const options = operatorOptionsFrom(
    [
      '--namespace',
      'ai',
      '--watch-namespace',
      'team-a',
      '--watch-namespace',
      'team-b',
      '--port',
      '0',
      '--lease-duration',
      '30',
      '--log-level',
      'warn',
    ],
    {},
  );
  assert.equal(options.namespace, 'ai');
  assert.deepEqual(options.watchNamespaces, ['team-a', 'team-b']);
  assert.equal(options.port, 0);
  assert.equal(options.leaseDurationMs, 30_000);
  assert.equal(options.logLevel, 'warn');
});

test('--create-namespace is off unless given', () => {
  assert.equal(operatorOptionsFrom([], {}).createNamespace, undefined);
  assert.equal(operatorOptionsFrom(['--create-namespace'], {}).createNamespace, true);
});

test('the namespace defaults to POD_NAMESPACE', () => {
  assert.equal(operatorOptionsFrom([], { POD_NAMESPACE: 'from-env' }).namespace, 'from-env');
});

test('bad flags exit 2 with a pointer to --help', async () => {
  const lines: string[] = [];
  const io = {
    stdout: (line: string) => lines.push(line),
    stderr: (line: string) => lines.push(line),
  };
  assert.equal(await run(['--lease-duration', 'soon'], io), 2);
  assert.equal(await run(['--bogus'], io), 2);
  assert.match(lines.join('\n'), /see --help/);
  assert.equal(await run(['--help'], io), 0);
  assert.match(lines.at(-1) ?? '', /Usage: switchyard operator/);
});
