// Turns tracing on: checks the options, then loads OpenTelemetry. The import is dynamic so that a
// proxy without `--otlp-endpoint` never loads a byte of it (test/proxy/tracing-off.test.ts).
import type { RequestTracer, TracingOptions } from './request-trace.ts';

/** Why tracing options are unusable, or undefined when they are fine. */
export function tracingOptionsProblem(options: TracingOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(options.otlpEndpoint);
  } catch {
    return `the OTLP endpoint ${JSON.stringify(options.otlpEndpoint)} is not a URL (expected e.g. http://otel-collector:4318)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `the OTLP endpoint must be http:// or https:// (OTLP/HTTP), not ${url.protocol}`;
  if (url.username !== '' || url.password !== '')
    return 'the OTLP endpoint must not carry credentials in its URL';
  const ratio = options.sampleRatio ?? 1;
  if (!(ratio >= 0 && ratio <= 1))
    return `the trace sample ratio must be between 0 and 1, not ${ratio}`;
  return undefined;
}

/** Starts a tracer exporting to `options.otlpEndpoint`; throws on unusable options. */
export async function startTracing(options: TracingOptions): Promise<RequestTracer> {
  const problem = tracingOptionsProblem(options);
  if (problem !== undefined) throw new Error(problem);
  const { createOtelTracer } = await import('./otel-tracer.ts');
  return createOtelTracer(options);
}
