// The alert rules checked by Prometheus' own promtool: the rules file is valid, every alert's
// unit tests (alert-rules.promtool.yaml) pass, every alert has a test in which it fires and a
// runbook section in docs/operations.md, and the chart ships the same rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { ALERTS, RUNBOOK_BASE_URL } from '../../scripts/gen/monitoring/alert-rules.ts';
import { RULES_FILE } from '../../scripts/gen/monitoring/monitoring-files.ts';
import { runCommand } from '../harness/processes.ts';
import { repoRoot, systemBinary } from '../harness/tools.ts';

const rulesPath = join(repoRoot, RULES_FILE);
const unitTestsPath = join(repoRoot, 'test', 'monitoring', 'alert-rules.promtool.yaml');

interface PromtoolTests {
  tests: {
    name: string;
    alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
  }[];
}

test('promtool check rules accepts the rules file', async () => {
  const result = await runCommand(systemBinary('promtool'), ['check', 'rules', rulesPath]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS: \d+ rules found/);
});

test('promtool test rules passes every alert unit test', async () => {
  const result = await runCommand(systemBinary('promtool'), ['test', 'rules', unitTestsPath]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS/);
});

test('every alert has a unit test in which it fires, and one in which it stays quiet', () => {
  const suite = load(readFileSync(unitTestsPath, 'utf8')) as PromtoolTests;
  const cases = suite.tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const { alert } of ALERTS) {
    const own = cases.filter((c) => c.alertname === alert);
    assert.ok(
      own.some((c) => c.exp_alerts.length > 0),
      `${alert} has no promtool test in which it fires`,
    );
    assert.ok(
      own.some((c) => c.exp_alerts.length === 0),
      `${alert} has no promtool test in which it stays quiet`,
    );
  }
});

test('every alert has a summary, a description with a number or label, and a runbook section', () => {
  const operations = readFileSync(join(repoRoot, 'docs', 'operations.md'), 'utf8');
  const headings = new Set([...operations.matchAll(/^### (Switchyard\w+)$/gm)].map((m) => m[1]));
  for (const rule of ALERTS) {
    assert.ok(rule.annotations.summary.length > 10, `${rule.alert} summary`);
    assert.match(rule.annotations.description, /\{\{ \$(value|labels)/, rule.alert);
    assert.equal(
      rule.annotations.runbook_url,
      `${RUNBOOK_BASE_URL}#${rule.alert.toLowerCase()}`,
      rule.alert,
    );
    assert.ok(headings.has(rule.alert), `docs/operations.md has no "### ${rule.alert}" runbook`);
    assert.match(rule.labels.severity, /^(critical|warning)$/);
  }
  const documented = [...headings].filter((name) => !ALERTS.some((rule) => rule.alert === name));
  assert.deepEqual(documented, [], 'runbooks of alerts that do not exist');
});

test("the chart's copy of the rules is the rules file", () => {
  const chartCopy = readFileSync(
    join(repoRoot, 'charts', 'switchyard', 'files', 'prometheus-rules.yaml'),
    'utf8',
  );
  assert.equal(chartCopy, readFileSync(rulesPath, 'utf8'));
});
