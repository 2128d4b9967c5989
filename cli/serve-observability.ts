// `switchyard serve`'s tracing and chargeback options: flags first, then environment variables
// (the chart sets those), checked before anything listens so a typo is a usage error.
import type { ChargebackOptions } from '../proxy/metrics/chargeback.ts';
import { tracingOptionsProblem } from '../proxy/trace/start-tracing.ts';
import type { TracingOptions } from '../proxy/trace/request-trace.ts';
import { UsageError } from './command.ts';

/** The parseArgs options of these flags, spread into serve's. */
export const OBSERVABILITY_FLAGS = {
  'otlp-endpoint': { type: 'string' },
  'trace-sample-ratio': { type: 'string' },
  'trace-content': { type: 'boolean', default: false },
  'chargeback-top-tenants': { type: 'string' },
  'chargeback-top-features': { type: 'string' },
} as const;

/** The `--help` lines of these flags. */
export const OBSERVABILITY_USAGE = `  --otlp-endpoint URL   send OpenTelemetry traces over OTLP/HTTP to URL (…/v1/traces), e.g.
                        http://otel-collector:4318 (SWITCHYARD_OTLP_ENDPOINT, else
                        OTEL_EXPORTER_OTLP_ENDPOINT). Default: no tracing, and nothing of
                        OpenTelemetry is loaded
  --trace-sample-ratio R  share of new traces recorded, 0–1 (default 1; a client's sampled
                        traceparent is always followed) (SWITCHYARD_TRACE_SAMPLE_RATIO)
  --trace-content       record prompts and answers in spans (off by default: they are customer
                        data) (SWITCHYARD_TRACE_CONTENT=true)
  --chargeback-top-tenants N   tenants with their own chargeback series, the rest "other"
                        (default 20) (SWITCHYARD_CHARGEBACK_TOP_TENANTS)
  --chargeback-top-features N  x-switchyard-feature values with their own series (default 20)
                        (SWITCHYARD_CHARGEBACK_TOP_FEATURES)`;

/** The values parseArgs returns for OBSERVABILITY_FLAGS. */
export interface ObservabilityValues {
  'otlp-endpoint'?: string | undefined;
  'trace-sample-ratio'?: string | undefined;
  'trace-content'?: boolean | undefined;
  'chargeback-top-tenants'?: string | undefined;
  'chargeback-top-features'?: string | undefined;
}

/** What the proxy gets: tracing (undefined when off) and the chargeback bounds. */
export interface ObservabilityOptions {
  tracing: TracingOptions | undefined;
  chargeback: ChargebackOptions;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function topOf(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new UsageError(`${flag} must be a whole number from 0 to 1000, not "${value}"`);
  return n;
}

/**
 * `OTEL_RESOURCE_ATTRIBUTES` (`k8s.pod.name=p,k8s.namespace.name=ai`), the standard variable
 * the chart fills from the downward API.
 */
export function resourceAttributesOf(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    attributes[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(
      pair.slice(at + 1).trim(),
    );
  }
  return attributes;
}

/** Reads the options from flags and `env`; throws UsageError on a bad value. */
export function observabilityOptions(
  values: ObservabilityValues,
  env: NodeJS.ProcessEnv = process.env,
): ObservabilityOptions {
  const tenants = topOf(
    values['chargeback-top-tenants'] ?? nonEmpty(env['SWITCHYARD_CHARGEBACK_TOP_TENANTS']),
    '--chargeback-top-tenants',
  );
  const features = topOf(
    values['chargeback-top-features'] ?? nonEmpty(env['SWITCHYARD_CHARGEBACK_TOP_FEATURES']),
    '--chargeback-top-features',
  );
  const chargeback: ChargebackOptions = {
    ...(tenants === undefined ? {} : { tenants }),
    ...(features === undefined ? {} : { features }),
  };
  const endpoint =
    nonEmpty(values['otlp-endpoint']) ??
    nonEmpty(env['SWITCHYARD_OTLP_ENDPOINT']) ??
    nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (endpoint === undefined) return { tracing: undefined, chargeback };
  const ratioText = values['trace-sample-ratio'] ?? nonEmpty(env['SWITCHYARD_TRACE_SAMPLE_RATIO']);
  const sampleRatio = ratioText === undefined ? 1 : Number(ratioText);
  const tracing: TracingOptions = {
    otlpEndpoint: endpoint,
    sampleRatio,
    recordContent: values['trace-content'] === true || env['SWITCHYARD_TRACE_CONTENT'] === 'true',
    serviceName: nonEmpty(env['OTEL_SERVICE_NAME']) ?? 'switchyard',
    resourceAttributes: resourceAttributesOf(env['OTEL_RESOURCE_ATTRIBUTES']),
  };
  const problem = tracingOptionsProblem(tracing);
  if (problem !== undefined) throw new UsageError(`tracing: ${problem}`);
  return { tracing, chargeback };
}
