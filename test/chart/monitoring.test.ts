// The chart's monitoring options, rendered by the real helm and installed into a real API server:
// the Grafana dashboard ConfigMaps for the sidecar (the boards of deploy/grafana, byte for byte),
// the PrometheusRule (the rules of deploy/prometheus, with the chart's alert labels, disabled
// alerts and runbook location applied), and the proxies' tracing and chargeback settings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { load, loadAll } from 'js-yaml';
import { ALERTS, RUNBOOK_BASE_URL } from '../../scripts/gen/monitoring/alert-rules.ts';
import {
  DASHBOARDS,
  dashboardFile,
  RULES_FILE,
} from '../../scripts/gen/monitoring/monitoring-files.ts';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { repoRoot } from '../harness/tools.ts';
import {
  chartDir,
  find,
  helm,
  helmOk,
  renderChart,
  templateArgs,
  type KubeObject,
} from './chart-fixture.ts';

const ON = ['metrics.grafanaDashboards.enabled=true', 'metrics.prometheusRule.enabled=true'];

interface RuleGroup {
  name: string;
  rules: {
    alert?: string;
    record?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }[];
}

const rulesFile = load(readFileSync(join(repoRoot, RULES_FILE), 'utf8')) as {
  groups: RuleGroup[];
};

function groupsOf(rule: KubeObject): RuleGroup[] {
  return (rule['spec'] as { groups: RuleGroup[] }).groups;
}

function alertsOf(rule: KubeObject): NonNullable<RuleGroup['rules']>[number][] {
  return groupsOf(rule).flatMap((group) => group.rules.filter((r) => r.alert !== undefined));
}

describe('the chart’s dashboards and alert rules', () => {
  test('are off by default', async () => {
    const { objects } = await renderChart();
    assert.ok(!objects.some((o) => o.kind === 'PrometheusRule'));
    assert.ok(!objects.some((o) => o.kind === 'ConfigMap'));
  });

  test('grafanaDashboards renders one sidecar ConfigMap per board holding the board of deploy/grafana', async () => {
    const { objects } = await renderChart({ set: ON });
    const maps = objects.filter((o) => o.kind === 'ConfigMap');
    assert.deepEqual(
      maps.map((m) => m.metadata.name).sort(),
      DASHBOARDS.map((b) => b.uid.replace(/^switchyard-/, 'switchyard-dashboard-')).sort(),
    );
    for (const board of DASHBOARDS) {
      const map = find(
        objects,
        'ConfigMap',
        board.uid.replace(/^switchyard-/, 'switchyard-dashboard-'),
      );
      assert.equal(map.metadata.namespace, 'ai');
      assert.equal(map.metadata.labels?.['grafana_dashboard'], '1');
      assert.equal(map.metadata.labels?.['app.kubernetes.io/part-of'], 'switchyard');
      const data = map['data'] as Record<string, string>;
      const expected = readFileSync(join(repoRoot, dashboardFile(board.uid)), 'utf8');
      // YAML's |- block drops the final newline; the JSON is otherwise the very file.
      assert.equal(`${data[`${board.uid}.json`]}\n`, expected);
      const json = JSON.parse(data[`${board.uid}.json`] ?? '') as { uid: string };
      assert.equal(json.uid, board.uid);
      // A ConfigMap holds at most 1 MiB; keep far below it.
      assert.ok(Buffer.byteLength(expected) < 256 * 1024, `${board.uid} is ${expected.length} B`);
    }
  });

  test('the dashboard ConfigMaps follow the sidecar’s label, namespace and folder annotation', async () => {
    const { objects } = await renderChart({
      set: [
        ...ON,
        'metrics.grafanaDashboards.namespace=monitoring',
        'metrics.grafanaDashboards.label=dashboards',
        'metrics.grafanaDashboards.labelValue=switchyard',
        'metrics.grafanaDashboards.annotations.grafana_folder=LLM',
      ],
    });
    for (const map of objects.filter((o) => o.kind === 'ConfigMap')) {
      assert.equal(map.metadata.namespace, 'monitoring');
      assert.equal(map.metadata.labels?.['dashboards'], 'switchyard');
      assert.equal(map.metadata.labels?.['grafana_dashboard'], undefined);
      assert.deepEqual(map.metadata.annotations, { grafana_folder: 'LLM' });
    }
  });

  test('prometheusRule renders the rules file as a PrometheusRule', async () => {
    const { objects } = await renderChart({
      set: [...ON, 'metrics.prometheusRule.labels.release=kube-prometheus-stack'],
    });
    const rule = find(objects, 'PrometheusRule', 'switchyard');
    assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(rule.metadata.labels?.['release'], 'kube-prometheus-stack');
    assert.deepEqual(groupsOf(rule), rulesFile.groups);
  });

  test('alertLabels, disabledAlerts and runbookBaseURL change every alert, and an alert keeps its severity', async () => {
    const { objects } = await renderChart({
      set: [
        ...ON,
        'metrics.prometheusRule.alertLabels.team=platform',
        'metrics.prometheusRule.alertLabels.severity=info',
        'metrics.prometheusRule.disabledAlerts={SwitchyardBudgetSlowBurn,SwitchyardQualityDemotion}',
        'metrics.prometheusRule.runbookBaseURL=https://wiki.example.com/llm/switchyard',
      ],
    });
    const alerts = alertsOf(find(objects, 'PrometheusRule', 'switchyard'));
    assert.deepEqual(
      alerts.map((a) => a.alert),
      ALERTS.map((a) => a.alert).filter(
        (name) => name !== 'SwitchyardBudgetSlowBurn' && name !== 'SwitchyardQualityDemotion',
      ),
    );
    for (const alert of alerts) {
      const source = ALERTS.find((a) => a.alert === alert.alert)!;
      assert.deepEqual(alert.labels, { severity: source.labels.severity, team: 'platform' });
      assert.equal(
        alert.annotations?.['runbook_url'],
        `https://wiki.example.com/llm/switchyard#${source.alert.toLowerCase()}`,
      );
      // The alert's own templates reach Prometheus untouched by helm.
      assert.equal(alert.annotations?.['description'], source.annotations.description);
    }
    assert.ok(!JSON.stringify(alerts).includes(RUNBOOK_BASE_URL));
  });

  test('the values schema refuses a disabled alert that is not one and a runbook base that is not a URL', async () => {
    for (const set of [
      'metrics.prometheusRule.disabledAlerts={HighLatency}',
      'metrics.prometheusRule.runbookBaseURL=wiki/switchyard',
      'metrics.grafanaDashboards.enable=true',
    ]) {
      const result = await helm(templateArgs({ set: [set] }));
      assert.notEqual(result.code, 0, `--set ${set} should fail`);
      assert.match(result.stderr, /values don't meet the specifications of the schema|schema/);
    }
  });
});

describe('the chart’s tracing and chargeback values', () => {
  const proxyEnv = async (set: string[] = [], json: string[] = []) => {
    const result = await helmOk([
      ...templateArgs({ set }),
      ...json.flatMap((j) => ['--set-json', j]),
    ]);
    const objects = loadAll(result) as KubeObject[];
    const deployment = find(objects.filter(Boolean), 'Deployment', 'switchyard-proxy');
    const env = (
      deployment['spec'] as {
        template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
      }
    ).template.spec.containers[0]!.env;
    return new Map(env.map((variable) => [variable.name, variable.value]));
  };

  test('tracing is off by default and chargeback keeps the top 20 tenants and features', async () => {
    const env = await proxyEnv();
    assert.equal(env.has('SWITCHYARD_OTLP_ENDPOINT'), false);
    assert.equal(env.has('OTEL_RESOURCE_ATTRIBUTES'), false);
    assert.equal(env.get('SWITCHYARD_CHARGEBACK_TOP_TENANTS'), '20');
    assert.equal(env.get('SWITCHYARD_CHARGEBACK_TOP_FEATURES'), '20');
  });

  test('tracing.otlpEndpoint turns tracing on with its ratio, content switch and the pod as resource', async () => {
    const env = await proxyEnv(
      [
        'tracing.otlpEndpoint=http://otel-collector.monitoring:4318',
        'tracing.recordContent=true',
        'proxy.chargeback.topTenants=100',
      ],
      ['tracing.sampleRatio=0.1'],
    );
    assert.equal(env.get('SWITCHYARD_OTLP_ENDPOINT'), 'http://otel-collector.monitoring:4318');
    assert.equal(env.get('SWITCHYARD_TRACE_SAMPLE_RATIO'), '0.1');
    assert.equal(env.get('SWITCHYARD_TRACE_CONTENT'), 'true');
    assert.equal(env.get('OTEL_SERVICE_NAME'), 'switchyard');
    assert.equal(
      env.get('OTEL_RESOURCE_ATTRIBUTES'),
      'k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)',
    );
    assert.equal(env.get('SWITCHYARD_CHARGEBACK_TOP_TENANTS'), '100');
  });

  test('the values schema refuses an endpoint without a scheme, a ratio above 1 and an unbounded top', async () => {
    for (const args of [
      ['--set', 'tracing.otlpEndpoint=otel-collector:4318'],
      ['--set', 'tracing.otlpEndpoint=https://user:secret@otel:4318'],
      ['--set-json', 'tracing.sampleRatio=2'],
      ['--set', 'proxy.chargeback.topTenants=5000'],
    ]) {
      const result = await helm([...templateArgs(), ...args]);
      assert.notEqual(result.code, 0, `${args.join(' ')} should fail`);
      assert.match(result.stderr, /schema/);
    }
  });
});

describe('the chart installed with dashboards and alert rules into a real API server', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane({
      crds: [
        join(repoRoot, 'test', 'fixtures', 'crds', 'prometheusrules.monitoring.coreos.com.yaml'),
      ],
    });
  });
  after(async () => {
    await cp?.stop();
  });

  test('helm install stores the dashboard ConfigMaps and the PrometheusRule as rendered', async () => {
    const env = { KUBECACHEDIR: cp.env['KUBECACHEDIR'] ?? '' };
    const kubeconfig = ['--kubeconfig', cp.kubeconfigPath];
    const output = await helmOk(
      ['install', 'switchyard', chartDir, '-n', 'ai', '--create-namespace', ...kubeconfig].concat(
        ON.flatMap((value) => ['--set', value]),
      ),
      env,
    );
    assert.match(output, /STATUS: deployed/);
    const maps = JSON.parse(
      await cp.kubectlOk([
        'get',
        'configmaps',
        '-n',
        'ai',
        '-l',
        'grafana_dashboard=1',
        '-o',
        'json',
      ]),
    ) as { items: { metadata: { name: string }; data: Record<string, string> }[] };
    assert.equal(maps.items.length, DASHBOARDS.length);
    for (const item of maps.items) {
      const [key, text] = Object.entries(item.data)[0]!;
      const board = JSON.parse(text) as { uid: string; panels: unknown[] };
      assert.equal(`${board.uid}.json`, key);
      assert.ok(board.panels.length > 5);
    }
    const stored = JSON.parse(
      await cp.kubectlOk(['get', 'prometheusrule', 'switchyard', '-n', 'ai', '-o', 'json']),
    ) as KubeObject;
    assert.deepEqual(groupsOf(stored), rulesFile.groups);
    await helmOk(['uninstall', 'switchyard', '-n', 'ai', ...kubeconfig], env);
  });
});
