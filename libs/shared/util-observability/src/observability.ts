import type { HttpInstrumentation } from '@snaptrack/util-http';
import { httpInstrumentation } from './http';
import { ServiceMetrics } from './metrics';
import { initTracing } from './tracing';

export interface Observability {
  metrics: ServiceMetrics;
  /** Pass to buildHandler / startSubgraphHttp as `instrument`: spans, request durations, GET /metrics. */
  http: HttpInstrumentation;
}

/** One call per service start: tracing registered (once per process) and a fresh metrics registry. */
export function createObservability(service: string, config: { otlpEndpoint?: string } = {}): Observability {
  initTracing({ serviceName: service, otlpEndpoint: config.otlpEndpoint });
  const metrics = new ServiceMetrics(service);
  return { metrics, http: httpInstrumentation(metrics) };
}
