import type { ConfigSpec } from '@snaptrack/util-config';

/** Keys every service declares (spread into its config spec) for metrics and traces. */
export const observabilityKeys = {
  otlpEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    doc:
      'OTLP/HTTP endpoint that receives traces (e.g. http://otel-collector:4318; spans go to /v1/traces); unset: ' +
      'traces are propagated (traceparent, log trace_id) but not exported',
    format: 'url',
    optional: true,
  },
} as const satisfies ConfigSpec;
