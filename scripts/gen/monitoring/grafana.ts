// A small builder for Grafana dashboard JSON (schema 39, Grafana 10.4+ and 11): dashboards are
// written as compact specs in dashboards/*.ts and rendered here, so every panel gets the same
// data source, template variables, grid layout and units without 3,000 lines of hand-kept JSON.

/** Grafana unit ids used by the boards. */
export type Unit =
  'currencyUSD' | 'percentunit' | 's' | 'reqps' | 'ops' | 'short' | 'bytes' | 'none';

/** A panel kind: the Grafana panel plugin it renders as. */
export type PanelKind =
  'stat' | 'timeseries' | 'bargauge' | 'piechart' | 'table' | 'state-timeline';

/** One PromQL query of a panel, with the legend Grafana shows for its series. */
export interface QuerySpec {
  readonly expr: string;
  /** Legend template, e.g. `{{route}}`. Default: Grafana's (the label set). */
  readonly legend?: string;
  /** An instant query (stat, bar gauge, pie, table over the dashboard's range). */
  readonly instant?: boolean;
}

/** One panel, as written in a dashboard spec. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel answers, shown on hover: say what a reader should look for. */
  readonly description: string;
  readonly kind: PanelKind;
  readonly unit: Unit;
  readonly queries: readonly QuerySpec[];
  /** Grid width of 24; default 8. */
  readonly width?: number;
  /** Grid height; default 8 (stats 4). */
  readonly height?: number;
  /** Stacked series (timeseries). */
  readonly stack?: boolean;
  /** Threshold steps above the base colour, e.g. [{value: 0.8, color: 'orange'}]. */
  readonly thresholds?: readonly { value: number; color: string }[];
  /** Value → text mappings (state timeline of circuit states). */
  readonly mappings?: readonly { value: number; text: string; color: string }[];
  readonly decimals?: number;
}

/** A titled row of panels. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** A whole dashboard, as written in dashboards/*.ts. */
export interface DashboardSpec {
  /** Stable uid, also the file name: `switchyard-spend` → deploy/grafana/switchyard-spend.json. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly rows: readonly RowSpec[];
}

/** The template variables every board has, in this order. */
export const TEMPLATE_VARIABLES = ['datasource', 'namespace', 'route', 'provider'] as const;

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function queryVariable(name: string, label: string, query: string): Record<string, unknown> {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    multi: true,
    includeAll: true,
    // ".*" (not Grafana's default alternation of every value) so "All" also matches series that
    // lack the label, such as a Prometheus without Kubernetes discovery adding `namespace`.
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

function templating(): Record<string, unknown> {
  return {
    list: [
      {
        name: 'datasource',
        label: 'Prometheus',
        type: 'datasource',
        query: 'prometheus',
        current: {},
        hide: 0,
      },
      queryVariable('namespace', 'Namespace', 'label_values(switchyard_config_info, namespace)'),
      queryVariable(
        'route',
        'Route',
        'label_values(switchyard_requests_total{namespace=~"$namespace"}, route)',
      ),
      queryVariable(
        'provider',
        'Provider',
        'label_values(switchyard_upstream_attempts_total{namespace=~"$namespace"}, provider)',
      ),
    ],
  };
}

function fieldConfig(panel: PanelSpec): Record<string, unknown> {
  const steps = [
    { color: 'green', value: null },
    ...(panel.thresholds ?? []).map(({ value, color }) => ({ color, value })),
  ];
  const mappings =
    panel.mappings === undefined
      ? []
      : [
          {
            type: 'value',
            options: Object.fromEntries(
              panel.mappings.map(({ value, text, color }, index) => [
                String(value),
                { text, color, index },
              ]),
            ),
          },
        ];
  const custom: Record<string, unknown> =
    panel.kind === 'timeseries'
      ? {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: panel.stack === true ? 40 : 10,
          showPoints: 'never',
          stacking: { mode: panel.stack === true ? 'normal' : 'none', group: 'A' },
        }
      : {};
  return {
    defaults: {
      unit: panel.unit,
      ...(panel.decimals === undefined ? {} : { decimals: panel.decimals }),
      thresholds: { mode: 'absolute', steps },
      mappings,
      custom,
    },
    overrides: [],
  };
}

function options(panel: PanelSpec): Record<string, unknown> {
  const legend = { displayMode: 'list', placement: 'bottom', showLegend: true };
  const reduce = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (panel.kind) {
    case 'stat':
      return { reduceOptions: reduce, colorMode: 'value', graphMode: 'none', textMode: 'auto' };
    case 'bargauge':
      return { reduceOptions: reduce, displayMode: 'gradient', orientation: 'horizontal' };
    case 'piechart':
      return { reduceOptions: reduce, legend, pieType: 'donut' };
    case 'table':
      return { showHeader: true };
    case 'state-timeline':
      return { legend, mergeValues: true, showValue: 'auto' };
    case 'timeseries':
      return { legend, tooltip: { mode: 'multi', sort: 'desc' } };
  }
}

function renderPanel(
  panel: PanelSpec,
  id: number,
  gridPos: Record<string, number>,
): Record<string, unknown> {
  return {
    id,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: fieldConfig(panel),
    options: options(panel),
    targets: panel.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      range: query.instant !== true,
      instant: query.instant === true,
      ...(panel.kind === 'table' ? { format: 'table' } : {}),
    })),
  };
}

/** Lays panels out on Grafana's 24-column grid, left to right, a row header before each row. */
function layout(spec: DashboardSpec): Record<string, unknown>[] {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 8;
      const h = panel.height ?? (panel.kind === 'stat' ? 4 : 8);
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(renderPanel(panel, id++, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

/** The Grafana dashboard JSON model of a spec, ready for import or the dashboard sidecar. */
export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['switchyard'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    timezone: 'utc',
    // The other Switchyard boards, one click away.
    links: [
      {
        type: 'dashboards',
        tags: ['switchyard'],
        asDropdown: true,
        title: 'Switchyard',
        includeVars: true,
        keepTime: true,
      },
    ],
    annotations: { list: [] },
    templating: templating(),
    panels: layout(spec),
  };
}
