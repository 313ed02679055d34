import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { HttpInstrumentation } from '@snaptrack/util-http';
import type { ServiceMetrics } from './metrics';
import { contextFromHeaders, tracer } from './tracing';

/** Probes and scrapes: timed (except /metrics itself) but never traced, so health checks do not flood the traces. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * util-http instrumentation: a SERVER span per request (continuing an incoming `traceparent`), the request duration
 * histogram by method, route template and status, and GET /metrics. Route labels are the router's templates, so a
 * URL with ids never becomes a label.
 */
export function httpInstrumentation(metrics: ServiceMetrics): HttpInstrumentation {
  return {
    metrics: () => metrics.render(),
    around: async (req: IncomingMessage, res: ServerResponse, next: () => Promise<void>, route: () => string) => {
      const started = process.hrtime.bigint();
      const method = req.method === 'GET' || req.method === 'POST' || req.method === 'OPTIONS' ? req.method : 'other';
      if (UNTRACED.has((req.url ?? '/').split('?')[0])) {
        res.once('close', () => {
          const template = route();
          if (template === '/metrics') return;
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.httpRequestDuration.observe({ method, route: template, status: String(res.statusCode) }, seconds);
        });
        return next();
      }
      const parent = contextFromHeaders(req.headers, context.active());
      const span = tracer(metrics.service).startSpan(`${method} request`, { kind: SpanKind.SERVER }, parent);
      res.once('close', () => {
        const template = route();
        const status = res.statusCode;
        if (template !== '/metrics') {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.httpRequestDuration.observe({ method, route: template, status: String(status) }, seconds);
        }
        span.updateName(`${method} ${template}`);
        span.setAttributes({
          'http.request.method': method,
          'http.route': template,
          'http.response.status_code': status,
        });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      await context.with(trace.setSpan(parent, span), next);
    },
  };
}
