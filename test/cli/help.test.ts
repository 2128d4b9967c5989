import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../cli/commands.ts';
import { hasStackTrace, switchyard } from './run-switchyard.ts';

test('switchyard --help lists every command of the dispatch table and exits 0', () => {
  const run = switchyard('--help');
  assert.equal(run.status, 0);
  for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command.name} `, 'm'));
});

test('every command answers --help with its usage and exit 0', () => {
  for (const command of COMMANDS) {
    const run = switchyard(command.name, '--help');
    assert.equal(run.status, 0, `${command.name}: ${run.output}`);
    assert.match(run.stdout, new RegExp(`^Usage: switchyard ${command.name}`), command.name);
  }
});

test('no command prints the usage on stderr and exits 2', () => {
  const run = switchyard();
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^Usage: switchyard COMMAND/);
});

test('an unknown command or option is one line and exit 2, never a stack trace', () => {
  const unknownCommand = switchyard('deploy');
  assert.equal(unknownCommand.status, 2);
  assert.equal(
    unknownCommand.stderr,
    'switchyard: unknown command "deploy"; run "switchyard --help" for the list\n',
  );
  const unknownOption = switchyard('validate', '--strict', 'examples/');
  assert.equal(unknownOption.status, 2);
  assert.equal(unknownOption.stderr.trimEnd().split('\n').length, 1);
  assert.ok(!hasStackTrace(unknownOption.output));
});

test('validate without a path is a usage error', () => {
  const run = switchyard('validate');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /give at least one file or folder/);
});
