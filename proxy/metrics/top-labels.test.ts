import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { labelValue, OTHER, TopLabels } from './top-labels.ts';

describe('TopLabels', () => {
  test('the first values get series of their own until the limit, the rest count as other', () => {
    const top = new TopLabels({ limit: 2 });
    assert.equal(top.observe('a', 1), 'a');
    assert.equal(top.observe('b', 1), 'b');
    assert.equal(top.observe('c', 1), OTHER);
    assert.equal(top.observe('a', 1), 'a');
    assert.deepEqual(top.named.sort(), ['a', 'b']);
  });

  test('a value that outspends the lightest named one takes its series, and the caller is told', () => {
    const evicted: string[] = [];
    const top = new TopLabels({ limit: 2, onEvict: (label) => evicted.push(label) });
    top.observe('a', 10);
    top.observe('b', 1);
    assert.equal(top.observe('heavy', 1), OTHER, 'not heavier yet');
    assert.equal(top.observe('heavy', 0.2), OTHER, '1.2 is not 25 % more than 1');
    assert.equal(top.observe('heavy', 0.2), 'heavy', '1.4 is');
    assert.deepEqual(evicted, ['b']);
    assert.deepEqual(top.named.sort(), ['a', 'heavy']);
    assert.equal(top.observe('b', 0.1), OTHER);
  });

  test('two values of similar spend do not swap series back and forth', () => {
    const evicted: string[] = [];
    const top = new TopLabels({ limit: 1, onEvict: (label) => evicted.push(label) });
    for (let i = 0; i < 100; i++) {
      top.observe('x', 1);
      top.observe('y', 1);
    }
    assert.deepEqual(evicted, []);
    assert.deepEqual(top.named, ['x']);
  });

  test('a heavy value is found among 10,000 light ones with a table of 80', () => {
    const top = new TopLabels({ limit: 20, candidates: 80 });
    for (let i = 0; i < 20; i++) top.observe(`early-${i}`, 0.001);
    for (let i = 0; i < 10_000; i++) {
      top.observe(`light-${i}`, 0.001);
      if (i % 100 === 0) top.observe('big-spender', 0.05);
    }
    assert.ok(top.named.includes('big-spender'));
    assert.equal(top.named.length, 20);
  });

  test('decay lets a new heavy value replace one that stopped spending', () => {
    const top = new TopLabels({ limit: 1 });
    top.observe('old', 100);
    for (let i = 0; i < 10; i++) top.decay(0.5);
    assert.equal(top.observe('new', 1), 'new');
    assert.deepEqual(top.named, ['new']);
  });

  test('a limit of 0 counts everything as other, and a value named "other" is never its own series', () => {
    const none = new TopLabels({ limit: 0 });
    assert.equal(none.observe('a', 5), OTHER);
    const top = new TopLabels({ limit: 3 });
    assert.equal(top.observe(OTHER, 5), OTHER);
    assert.deepEqual(top.named, []);
  });

  test('never more than limit named values, and every observation is counted under one label', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 10, noNaN: true })),
          {
            maxLength: 400,
          },
        ),
        (limit, observations) => {
          const live = new Set<string>();
          const top = new TopLabels({
            limit,
            candidates: 8,
            onEvict: (label) => live.delete(label),
          });
          const totals = new Map<string, number>();
          let sum = 0;
          for (const [id, weight] of observations) {
            const value = `t${id}`;
            const label = top.observe(value, weight);
            assert.ok(label === value || label === OTHER);
            if (label !== OTHER) live.add(label);
            totals.set(label, (totals.get(label) ?? 0) + weight);
            sum += weight;
            assert.ok(top.named.length <= limit);
          }
          assert.deepEqual(
            [...live].sort(),
            top.named.sort(),
            'series removed exactly when evicted',
          );
          const counted = [...totals.values()].reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(counted - sum) < 1e-6);
        },
      ),
    );
  });
});

describe('labelValue', () => {
  const cases: [string, string | undefined, string][] = [
    ['a plain name is kept', 'team-search', 'team-search'],
    ['a missing header is none', undefined, 'none'],
    ['an empty header is none', '  ', 'none'],
    ['spaces, quotes and newlines become underscores', 'a b"c\nd', 'a_b_c_d'],
    ['dots, colons, slashes and @ are kept', 'svc.a:b/c@d', 'svc.a:b/c@d'],
    ['a long value is cut to 64 characters', 'x'.repeat(200), 'x'.repeat(64)],
  ];
  for (const [name, raw, expected] of cases)
    test(name, () => assert.equal(labelValue(raw), expected));
});
