// Renders docs/api.md, the reference users read, from the same structural schemas as the CRDs:
// a field that exists in the CRD exists in the reference, with the same default, bounds and
// description, and every CEL rule appears with the message kubectl prints.
import { dump } from 'js-yaml';
import { API_VERSION, CONDITION_TYPES, type ConditionType } from '../../core/api/common.ts';
import { REASONS, type Reason } from '../../core/compile/status.ts';
import { KINDS, crdFileOf, openApiSchemaOf, type KindSpec } from './crds.ts';
import {
  APPROVE_PRICES_ANNOTATION,
  PRICE_FEED_CONDITION_TYPES,
} from '../../core/api/price-feed.ts';
import { PRICE_FEED_REASON_MEANINGS, PRICE_FEED_REASONS } from '../../core/pricing/feed-reasons.ts';
import { EXAMPLE_CONTEXT, FULL_EXAMPLES } from './full-examples.ts';
import type { SchemaNode } from './openapi.ts';

/** What each condition type says when True. */
const CONDITION_MEANINGS: Record<ConditionType, string> = {
  Accepted:
    'The spec is valid and does not conflict with another object. Checked by the operator for everything the CRD cannot check.',
  ResolvedRefs:
    'Every reference resolves: providers, models and Secrets named by the object exist in its namespace.',
  Programmed:
    'The object is part of the RouterConfig the proxies serve; the message carries the config hash.',
};

// Typed by Reason, so adding a reason in core/compile/status.ts fails tsc until it is documented.
const REASON_MEANINGS: Record<Reason, string> = {
  Accepted: 'The spec is valid and not conflicted.',
  InvalidSpec:
    'The spec breaks a rule of this reference (possible when the object did not pass through the API server, e.g. `switchyard serve --manifests`). The message names the field.',
  Conflicted:
    'Another RoutePolicy claims the same `spec.model` alias. The oldest object wins (then namespace/name); the others report Conflicted.',
  InvalidPattern:
    'A regular expression (`match.patterns`, `governance.sensitive.patterns`) does not compile.',
  PoolUnsatisfiable:
    "No target's provider satisfies `governance.pool`, so sensitive requests could never be served.",
  ResolvedRefs: 'Every reference resolves.',
  ProviderNotFound:
    'A target or classifier names a ModelProvider that does not exist in the namespace.',
  ModelNotFound: 'The ModelProvider exists but has no model of that name in `spec.models`.',
  SecretNotFound: '`spec.auth.secretRef.name` names a Secret that does not exist in the namespace.',
  SecretKeyNotFound: 'The Secret exists but has no key `spec.auth.secretRef.key`.',
  ProviderNotProgrammed:
    'A referenced ModelProvider exists but is not Programmed itself (for example its Secret is missing).',
  CapabilityMissing:
    'A tier target or the classifier names a model with only the embeddings capability; tiers send chat completions, so target a chat model.',
  VariantNotFound:
    '`spec.experiment.variant` names no RoutePolicy in the namespace (or the policy itself); the policy serves all its traffic until it resolves.',
  VariantNotProgrammed:
    'The experiment variant exists but is not served itself; the policy serves all its traffic until it is.',
  Programmed: 'Served by the proxies.',
  LastKnownGood:
    'RoutePolicy: the new spec is rejected (InvalidSpec, InvalidPattern or PoolUnsatisfiable; see Accepted), so the proxies keep serving the version accepted before it.',
  NotAccepted:
    'Not served because Accepted is False (a rejected RoutePolicy that was served before keeps its last accepted version: LastKnownGood).',
  NoResolvedTargets: 'Not served because no target of the policy resolves.',
  RefsNotResolved: 'Not served because ResolvedRefs is False.',
};

/** Differences from the API sketched in the architecture, so readers of both are not surprised. */
const CHANGES = [
  'Conditions: a third condition, `ResolvedRefs`, separates "the spec is valid" (`Accepted`) from "everything it names exists", as Gateway API does.',
  'ModelProvider: added `headers`, `healthCheck`, `circuitBreaker.failureRatePercent`/`minimumRequests`/`windowSeconds`/`maxCooldownSeconds`, `pricing.cacheWritePerMillion` and `pricing.reasoningPerMillion`, and `status.modelCount` (a printer column).',
  'RoutePolicy: added target `weight` (for the `weighted` strategy), `classification.allowClientTier`, `failover.totalTimeoutMs` and `failover.maxAttempts`, and match conditions beyond keywords, prompt size and headers (`patterns`, `maxPromptTokens`, `hasTools`, `hasImages`, `responseFormat`, `metadata`).',
  'Maps (`spec.headers`, `match.headers`, `match.metadata`) are bounded (`maxProperties`) and their keys are checked by CEL, because a CRD cannot constrain map keys otherwise.',
  'PriceFeed (a third kind) and `pricing.feedRef` on ModelProvider models: prices that follow a live feed, guarded, with `status.models` showing the price in force and its source (docs/pricing.md).',
];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Renders docs/api.md. */
export function renderApiDocs(): string {
  const parts = [
    '<!-- Generated by `npm run gen` from core/api/*.ts, core/compile/status.ts and core/pricing/feed-reasons.ts. Do not edit by hand. -->',
    '',
    `# API reference: \`${API_VERSION}\``,
    '',
    'Switchyard is configured with namespaced custom resources. A **ModelProvider** is one upstream',
    'account and the models it serves; a **RoutePolicy** says what a model alias that clients send',
    '(for example `auto`) means; a **PriceFeed** is a price list that models may follow instead of',
    'typed-in prices. Install the CRDs from `crds/` (the Helm chart does it for you), then',
    '`kubectl apply` objects like those in `examples/`.',
    '',
    'Validation happens in three places, with the same messages:',
    '',
    '1. The API server checks every field against the CRD schema and every cross-field rule (CEL) listed',
    '   below, so `kubectl apply` rejects a bad manifest before it is stored.',
    '2. `switchyard validate` runs the same rules without a cluster (zod schemas in `core/api`).',
    '3. What neither can see — a target naming a provider that does not exist, an alias claimed twice —',
    '   lands in the status conditions described at the end.',
    '',
    '- [ModelProvider](#modelprovider)',
    '- [RoutePolicy](#routepolicy)',
    '- [PriceFeed](#pricefeed)',
    '- [Status conditions](#status-conditions)',
    '- [Changes from the design sketch](#changes-from-the-design-sketch)',
    '',
  ];
  for (const kind of KINDS) parts.push(...renderKind(kind));
  parts.push(...renderConditions(), ...renderChanges());
  return `${parts.join('\n').trimEnd()}\n`;
}

function renderKind(kind: KindSpec): string[] {
  const schema = openApiSchemaOf(kind);
  const lines = [
    `## ${kind.kind}`,
    '',
    kind.description,
    '',
    '| | |',
    '|---|---|',
    `| apiVersion | \`${API_VERSION}\` |`,
    `| Scope | Namespaced |`,
    `| Short name | \`${kind.shortName}\` (\`kubectl get ${kind.shortName}\`) |`,
    '| Category | `switchyard` (`kubectl get switchyard` lists every kind) |',
    `| Field selectors | ${kind.selectableFields.map((f) => `\`${f}\``).join(', ')} |`,
    `| CRD | [\`${crdFileOf(kind)}\`](../${crdFileOf(kind)}) |`,
    '',
    `### \`kubectl get ${kind.shortName}\` columns`,
    '',
    '| Column | JSONPath | Meaning |',
    '|---|---|---|',
    ...kind.columns.map((c) => `| ${c.name} | \`${cell(c.jsonPath)}\` | ${cell(c.description)} |`),
    '',
    '### Fields',
    '',
    'Paths are relative to the object; `[]` marks the items of a list. A default applies when the field',
    'is omitted; an object default of `{}` means its fields take their own defaults. A *derived* default',
    'depends on fields you set (the description gives the rule, e.g. the TTFT timeout never exceeds the',
    'attempt timeout you chose): the field stays unset in the stored object and the operator fills it in',
    'when it compiles the config, so a default never contradicts a value you wrote.',
    '',
    '| Field | Type | Required | Default | Valid values | Description |',
    '|---|---|---|---|---|---|',
  ];
  const properties = schema.properties ?? {};
  const rules: string[] = [];
  for (const root of ['spec', 'status'] as const) {
    const node = properties[root];
    if (!node) continue;
    fieldRows(node, root, schema.required?.includes(root) ?? false, lines, rules);
  }
  lines.push('', '### Cross-field rules', '');
  lines.push(
    'Each rule is a CEL `x-kubernetes-validations` entry on the field named; the API server prints the',
    'message next to the field path when the rule is broken, and so does `switchyard validate`.',
    '',
    ...rules,
    '',
    '### Example',
    '',
    '```yaml',
    ...(EXAMPLE_CONTEXT[kind.kind].length === 0
      ? []
      : [`# validate-with: ${EXAMPLE_CONTEXT[kind.kind].join(' ')}`]),
    dump(FULL_EXAMPLES[kind.kind], {
      lineWidth: 100,
      noRefs: true,
    }).trimEnd(),
    '```',
    '',
  );
  if (kind.kind === 'PriceFeed') lines.push(...renderFeedConditions());
  return lines;
}

function fieldRows(
  node: SchemaNode,
  path: string,
  required: boolean,
  rows: string[],
  rules: string[],
): void {
  rows.push(
    `| \`${path}\` | ${typeOf(node)} | ${required ? 'yes' : ''} | ${defaultOf(node)} | ${cell(valuesOf(node).join('; '))} | ${cell(node.description ?? '')} |`,
  );
  const object = node.type === 'array' ? node.items : node;
  const prefix = node.type === 'array' ? `${path}[]` : path;
  rules.push(...rulesOf(node, path));
  if (node.items) rules.push(...rulesOf(node.items, prefix));
  for (const [name, child] of Object.entries(object?.properties ?? {})) {
    fieldRows(child, `${prefix}.${name}`, object?.required?.includes(name) ?? false, rows, rules);
  }
}

function rulesOf(node: SchemaNode, path: string): string[] {
  return (node['x-kubernetes-validations'] ?? []).flatMap((validation) => {
    const where = validation.fieldPath ? `${path}${validation.fieldPath}` : path;
    return [
      `- \`${where}\`: **${validation.message}**  `,
      `  CEL on \`${path}\`: \`${validation.rule}\``,
    ];
  });
}

function typeOf(node: SchemaNode | undefined): string {
  if (!node) return '';
  if (node.type === 'array') return `[]${typeOf(node.items)}`;
  if (node.type === 'object' && node.additionalProperties) {
    return `map[string]${typeOf(node.additionalProperties)}`;
  }
  return node.type ?? '';
}

function defaultOf(node: SchemaNode): string {
  if (node.default !== undefined) return `\`${cell(JSON.stringify(node.default))}\``;
  // A default that depends on other fields (derived-defaults.ts): the description gives the rule.
  return /\bDefaults (to|by)\b/.test(node.description ?? '') ? 'derived, see description' : '';
}

function valuesOf(node: SchemaNode): string[] {
  const out = [...scalarValuesOf(node), ...collectionValuesOf(node)];
  const element = node.items ?? node.additionalProperties;
  if (element && element.type !== 'object') {
    const each = valuesOf(element);
    if (each.length > 0) out.push(`each ${node.items ? 'item' : 'value'}: ${each.join(', ')}`);
  }
  return out;
}

function scalarValuesOf(node: SchemaNode): string[] {
  const out: string[] = [];
  if (node.enum) out.push(`one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  const range = rangeOf(node.minimum, node.maximum, node.exclusiveMinimum, node.exclusiveMaximum);
  if (range) out.push(range);
  const length = countOf(node.minLength, node.maxLength, 'characters');
  if (length) out.push(length);
  if (node.pattern) out.push(`matches \`${node.pattern}\``);
  if (node.format === 'date-time') out.push('RFC 3339 date-time');
  return out;
}

function collectionValuesOf(node: SchemaNode): string[] {
  const out: string[] = [];
  const items = countOf(node.minItems, node.maxItems, 'items');
  if (items) out.push(items);
  if (node.maxProperties !== undefined) out.push(`at most ${node.maxProperties} entries`);
  if (node['x-kubernetes-list-type'] === 'map') {
    const keys = (node['x-kubernetes-list-map-keys'] ?? []).map((k) => `\`${k}\``).join(', ');
    out.push(`unique by ${keys}`);
  }
  if (node['x-kubernetes-list-type'] === 'set') out.push('no duplicates');
  return out;
}

function rangeOf(
  min: number | undefined,
  max: number | undefined,
  exclusiveMin: boolean | undefined,
  exclusiveMax: boolean | undefined,
): string {
  const upper = max === undefined || max >= MAX_SAFE ? undefined : max;
  const low = min === undefined ? '' : `${exclusiveMin ? '>' : '≥'} ${min}`;
  const high = upper === undefined ? '' : `${exclusiveMax ? '<' : '≤'} ${upper}`;
  if (low && high && !exclusiveMin && !exclusiveMax) return `${min} to ${upper}`;
  return [low, high].filter(Boolean).join(' and ');
}

function countOf(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min} to ${max} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  if (min !== undefined) return `at least ${min} ${unit}`;
  return '';
}

function renderConditions(): string[] {
  const lines = [
    '## Status conditions',
    '',
    'The operator writes `status` on both kinds: `observedGeneration` (the `metadata.generation` it',
    'last processed) and three Gateway-API-style conditions. A reason is a CamelCase constant, stable',
    'for alerts and scripts; the message says what to fix. `kubectl get mp` and `kubectl get rp` show',
    'the three statuses as columns.',
    '',
    '| Condition | Reason | Status | Meaning |',
    '|---|---|---|---|',
  ];
  for (const type of CONDITION_TYPES) {
    for (const reason of REASONS[type]) {
      const status = reason === type ? 'True' : 'False';
      const meaning = reason === type ? CONDITION_MEANINGS[type] : REASON_MEANINGS[reason];
      lines.push(`| ${type} | \`${reason}\` | ${status} | ${cell(meaning)} |`);
    }
  }
  lines.push('');
  return lines;
}

function renderFeedConditions(): string[] {
  const lines = [
    '### PriceFeed conditions and approval',
    '',
    "The operator writes a PriceFeed's status after every sync: `Synced` says whether the last fetch",
    'worked, `PricesApplied` whether anything waits for approval. A feed that is down or malformed',
    'changes nothing: the prices in force stay, and `Synced=False` says why.',
    '',
    '| Condition | Reason | Status | Meaning |',
    '|---|---|---|---|',
  ];
  for (const type of PRICE_FEED_CONDITION_TYPES) {
    for (const [index, reason] of PRICE_FEED_REASONS[type].entries()) {
      const status = index === 0 ? 'True' : reason === 'NotSynced' ? 'Unknown' : 'False';
      lines.push(
        `| ${type} | \`${reason}\` | ${status} | ${cell(PRICE_FEED_REASON_MEANINGS[reason])} |`,
      );
    }
  }
  lines.push(
    '',
    'A change that moves a price or context window by more than `maxChangeFactor` (up or down) is held',
    'back with every other change of the same model, listed in `status.heldChanges`, and summed up in',
    '`status.heldChangesDigest`. Review them, then approve exactly that set:',
    '',
    '```sh',
    `kubectl annotate pricefeed openrouter -n default ${APPROVE_PRICES_ANNOTATION}=<status.heldChangesDigest> --overwrite`,
    '```',
    '',
    'The `PricesApplied` message prints this line with the digest filled in. An annotation whose value',
    'is not the current digest approves nothing, so a later, different set of held changes is never',
    'approved by an old annotation. Zero prices, missing prices and models the feed stops listing are',
    'never applied, approval or not (`status.refusedChanges`).',
    '',
  );
  return lines;
}

function renderChanges(): string[] {
  return [
    '## Changes from the design sketch',
    '',
    'Field names were refined while building, as the architecture allows. Compared with the sketch in',
    'the design notes:',
    '',
    ...CHANGES.map((change) => `- ${change}`),
    '',
  ];
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
