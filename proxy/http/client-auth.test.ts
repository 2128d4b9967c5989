import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientAuth } from './client-auth.ts';

test('keys file lines: NAME:KEY split at the first colon, bare keys without one, comments skipped', () => {
  const auth = ClientAuth.fromText(
    ['# team keys', 'team-a:sk-a', '', 'team-b:sk:with:colons', 'sk-bare'].join('\n'),
    'keys',
  );
  assert.equal(auth.authenticate({ authorization: 'Bearer sk-a' }), 'team-a');
  assert.equal(auth.authenticate({ authorization: 'Bearer sk:with:colons' }), 'team-b');
  assert.equal(auth.authenticate({ authorization: 'Bearer sk-bare' }), 'client-3');
  assert.deepEqual(auth.summary, { keys: 3, clients: 3 });
});

test('a keys file that would leave the API open or mis-attribute a tenant is refused, naming the line but not the key', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /lists no keys: refusing to start with client authentication off/],
    ['only comments', '# nothing yet\n\n', /lists no keys/],
    ['a name that is not one', 'sk/abc:def', /line 1: "sk\/abc" is not a client name/],
    ['an empty key', 'team-a:', /line 1: the key after "team-a:" is empty/],
    ['a key listed twice', 'a:sk-1\nb:sk-1', /line 2: this key is already listed/],
  ];
  for (const [what, text, message] of cases) {
    assert.throws(() => ClientAuth.fromText(text, 'keys'), message, what);
    try {
      ClientAuth.fromText(text, 'keys');
    } catch (error) {
      assert.ok(!(error as Error).message.includes('sk-1'), `${what}: the key is in the message`);
    }
  }
});
