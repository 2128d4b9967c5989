// The CustomResourceDefinitions of the v1alpha1 API, built from the zod schemas in core/api.
import type { z } from 'zod';
import { API_GROUP } from '../../core/api/common.ts';
import { modelProvider } from '../../core/api/model-provider.ts';
import { priceFeed } from '../../core/api/price-feed.ts';
import { routePolicy } from '../../core/api/route-policy.ts';
import { jsonSchemaOf, toStructural, type SchemaNode } from './openapi.ts';

/** The served and stored version of every kind. */
export const VERSION = 'v1alpha1';

/** One `kubectl get` column. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'date';
  jsonPath: string;
  description: string;
  /** 1 shows the column only with `kubectl get -o wide`. */
  priority?: number;
}

/** What the generator needs to know about one kind besides its zod schema. */
export interface KindSpec {
  kind: 'ModelProvider' | 'RoutePolicy' | 'PriceFeed';
  plural: string;
  shortName: string;
  description: string;
  schema: z.ZodType;
  columns: PrinterColumn[];
  /** Fields `kubectl get --field-selector` may filter on. */
  selectableFields: string[];
}

const conditionColumn = (name: string, type: string): PrinterColumn => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
  description: `Status of the ${type} condition.`,
});

const statusColumns: PrinterColumn[] = [
  conditionColumn('Accepted', 'Accepted'),
  conditionColumn('Resolved', 'ResolvedRefs'),
  conditionColumn('Programmed', 'Programmed'),
  {
    name: 'Age',
    type: 'date',
    jsonPath: '.metadata.creationTimestamp',
    description: 'Time since the object was created.',
  },
];

/** The kinds of the API, in documentation order. */
export const KINDS: KindSpec[] = [
  {
    kind: 'ModelProvider',
    plural: 'modelproviders',
    shortName: 'mp',
    description:
      'ModelProvider is one upstream LLM account (OpenAI, Anthropic, Gemini or any OpenAI-compatible endpoint) and the models it serves, with their prices, limits and data policy.',
    schema: modelProvider,
    columns: [
      {
        name: 'API',
        type: 'string',
        jsonPath: '.spec.api',
        description: 'Wire protocol of the provider.',
      },
      {
        name: 'Models',
        type: 'integer',
        jsonPath: '.status.modelCount',
        description: 'Number of models the provider serves.',
      },
      {
        name: 'Health',
        type: 'string',
        jsonPath: '.status.live.health',
        description:
          'Worst live state of its models across the proxy fleet: Demoted, CircuitOpen, Degraded, Healthy or Idle.',
      },
      {
        name: 'Demoted',
        type: 'integer',
        jsonPath: '.status.live.demotedModels',
        description: 'Models demoted for low judged quality.',
      },
      {
        name: 'Spend',
        type: 'number',
        jsonPath: '.status.live.spendUSD',
        description: 'Spend on the provider this month, in USD, across the fleet.',
      },
      ...statusColumns,
    ],
    selectableFields: ['.spec.api'],
  },
  {
    kind: 'RoutePolicy',
    plural: 'routepolicies',
    shortName: 'rp',
    description:
      'RoutePolicy says what a model alias that clients send (for example auto) means: tiers of targets, how each request is classified into a tier, how it fails over, and which governance, budget and cache rules apply.',
    schema: routePolicy,
    columns: [
      {
        name: 'Alias',
        type: 'string',
        jsonPath: '.spec.model',
        description: 'The model alias clients send.',
      },
      {
        name: 'Spend',
        type: 'number',
        jsonPath: '.status.live.spendUSD',
        description: 'Spend this month, in USD, answers and judge calls, across the fleet.',
      },
      {
        name: 'Budget%',
        type: 'number',
        jsonPath: '.status.live.budgetUsedPercent',
        description: 'Share of the monthly budget spent.',
      },
      {
        name: 'Cache%',
        type: 'number',
        jsonPath: '.status.live.cacheHitRatePercent',
        description: 'Share of requests answered from the cache this month.',
        priority: 1,
      },
      {
        name: 'Experiment',
        type: 'string',
        jsonPath: '.status.live.experiment.name',
        description: 'The experiment running on the policy.',
        priority: 1,
      },
      ...statusColumns,
    ],
    selectableFields: ['.spec.model'],
  },
  {
    kind: 'PriceFeed',
    plural: 'pricefeeds',
    shortName: 'pf',
    description:
      'PriceFeed is a price list the operator reads on a schedule (OpenRouter /api/v1/models or LiteLLM model_prices_and_context_window.json): ModelProviders whose pricing has a feedRef follow its prices, guarded, with large moves held back for approval.',
    schema: priceFeed,
    columns: [
      {
        name: 'Format',
        type: 'string',
        jsonPath: '.spec.format',
        description: 'Format of the feed document.',
      },
      {
        name: 'Models',
        type: 'integer',
        jsonPath: '.status.modelCount',
        description: 'Number of models in the last document fetched.',
      },
      conditionColumn('Synced', 'Synced'),
      conditionColumn('Applied', 'PricesApplied'),
      {
        name: 'Last Sync',
        type: 'date',
        jsonPath: '.status.lastSyncTime',
        description: 'Time since the last successful sync.',
      },
      {
        name: 'Age',
        type: 'date',
        jsonPath: '.metadata.creationTimestamp',
        description: 'Time since the object was created.',
      },
    ],
    selectableFields: ['.spec.format'],
  },
];

/** The openAPIV3Schema of one kind: spec and status from zod, the envelope as Kubernetes wants it. */
export function openApiSchemaOf(kind: KindSpec): SchemaNode {
  const json = jsonSchemaOf(kind.schema);
  const properties = json.properties as Record<string, Record<string, unknown>>;
  const spec = properties.spec;
  const status = properties.status;
  if (!spec || !status) throw new Error(`${kind.kind}: the zod schema needs spec and status`);
  return {
    description: kind.description,
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
        type: 'string',
      },
      kind: {
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
        type: 'string',
      },
      // The API server owns metadata's schema; a CRD may only say that it is an object.
      metadata: { type: 'object' },
      spec: toStructural(spec, 'spec'),
      status: toStructural(status, 'status'),
    },
    required: ['spec'],
  };
}

/** The CustomResourceDefinition object of one kind. */
export function crdOf(kind: KindSpec): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${kind.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/name': 'switchyard', 'app.kubernetes.io/part-of': 'switchyard' },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.kind.toLowerCase(),
        shortNames: [kind.shortName],
        categories: ['switchyard'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.columns,
          selectableFields: kind.selectableFields.map((jsonPath) => ({ jsonPath })),
          schema: { openAPIV3Schema: openApiSchemaOf(kind) },
        },
      ],
    },
  };
}

/** The file under crds/ that holds a kind's CRD. */
export function crdFileOf(kind: KindSpec): string {
  return `crds/${API_GROUP}_${kind.plural}.yaml`;
}
