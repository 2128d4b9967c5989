import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { observabilityOptions, resourceAttributesOf } from './serve-observability.ts';

describe("serve's tracing and chargeback options", () => {
  test('no endpoint anywhere means no tracing, and chargeback keeps its defaults', () => {
    assert.deepEqual(observabilityOptions({}, {}), { tracing: undefined, chargeback: {} });
  });

  test('the flag wins over SWITCHYARD_OTLP_ENDPOINT, which wins over OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    const env = {
      SWITCHYARD_OTLP_ENDPOINT: 'http://from-switchyard:4318',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-otel:4318',
    };
    assert.equal(
      observabilityOptions({ 'otlp-endpoint': 'http://flag:4318' }, env).tracing?.otlpEndpoint,
      'http://flag:4318',
    );
    assert.equal(
      observabilityOptions({}, env).tracing?.otlpEndpoint,
      'http://from-switchyard:4318',
    );
    assert.equal(
      observabilityOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-otel:4318' }).tracing
        ?.otlpEndpoint,
      'http://from-otel:4318',
    );
  });

  test('the environment the chart sets turns tracing on with its ratio, content switch, service and pod', () => {
    const { tracing, chargeback } = observabilityOptions(
      {},
      {
        SWITCHYARD_OTLP_ENDPOINT: 'http://otel:4318',
        SWITCHYARD_TRACE_SAMPLE_RATIO: '0.25',
        SWITCHYARD_TRACE_CONTENT: 'true',
        OTEL_SERVICE_NAME: 'switchyard-proxy',
        OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=proxy-7,k8s.namespace.name=ai',
        SWITCHYARD_CHARGEBACK_TOP_TENANTS: '50',
        SWITCHYARD_CHARGEBACK_TOP_FEATURES: '0',
      },
    );
    assert.deepEqual(tracing, {
      otlpEndpoint: 'http://otel:4318',
      sampleRatio: 0.25,
      recordContent: true,
      serviceName: 'switchyard-proxy',
      resourceAttributes: { 'k8s.pod.name': 'proxy-7', 'k8s.namespace.name': 'ai' },
    });
    assert.deepEqual(chargeback, { tenants: 50, features: 0 });
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'an endpoint without a scheme',
      { 'otlp-endpoint': 'otel:4318' },
      /tracing: .*http:\/\/ or https:\/\//,
    ],
    [
      'a ratio that is not a number',
      { 'otlp-endpoint': 'http://o:4318', 'trace-sample-ratio': 'half' },
      /between 0 and 1/,
    ],
    [
      'a negative top',
      { 'chargeback-top-tenants': '-1' },
      /--chargeback-top-tenants must be a whole number/,
    ],
    [
      'a fractional top',
      { 'chargeback-top-features': '2.5' },
      /--chargeback-top-features must be a whole number/,
    ],
    ['a top that would defeat the bound', { 'chargeback-top-tenants': '100000' }, /from 0 to 1000/],
  ];
  for (const [name, values, message] of refused) {
    test(`${name} is a usage error`, () => {
      assert.throws(
        () => observabilityOptions(values, {}),
        (error: Error) => {
          assert.equal(error.name, 'UsageError');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('OTEL_RESOURCE_ATTRIBUTES pairs are split and percent-decoded, junk skipped', () => {
    assert.deepEqual(resourceAttributesOf('a=1, b = x%2Cy ,junk,=v'), { a: '1', b: 'x,y' });
    assert.deepEqual(resourceAttributesOf(undefined), {});
  });
});
