import {
  type Attributes,
  type Context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export { SpanKind, type Span } from '@opentelemetry/api';
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

let provider: NodeTracerProvider | null = null;
let memory: InMemorySpanExporter | null = null;

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (e.g. http://otel-collector:4318); spans go to `<it>/v1/traces`. Unset: nothing exported. */
  otlpEndpoint?: string;
}

/**
 * Registers the process-wide tracer provider once (W3C traceparent propagation, AsyncLocalStorage context), exporting
 * over OTLP/HTTP when an endpoint is configured; then every span is recorded (AlwaysOn, whatever the caller's sampled
 * flag). Without one, nothing is recorded (AlwaysOff: non-recording spans, which cost next to nothing) but the trace
 * and span ids still travel across HTTP, Kafka and the outbox and into log lines; the sampled flag passed on is then
 * 0. The first call in a process names the resource's service; every service still names its own tracer. Tests call
 * `useInMemoryTracing()` first.
 */
export function initTracing(opts: TracingOptions): void {
  if (provider) return;
  const processors: SpanProcessor[] = [];
  if (opts.otlpEndpoint) {
    const url = `${opts.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    sampler: processors.length ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    spanProcessors: processors,
  });
  provider.register();
}

/** Tests: registers (once) a provider that keeps every finished span in memory, and returns its exporter. */
export function useInMemoryTracing(): InMemorySpanExporter {
  if (memory) return memory;
  if (provider) throw new Error('tracing was initialised before useInMemoryTracing()');
  memory = new InMemorySpanExporter();
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test' }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider.register();
  return memory;
}

/** Flushes pending spans (shutdown). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

export function tracer(service: string) {
  return trace.getTracer(service);
}

/** The active span's ids, for log lines; undefined when no valid span is active. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/** The W3C headers (`traceparent`, `tracestate`) of the active context, or of `ctx`; empty without a span. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

type HeaderBag = Record<string, string | string[] | Buffer | Array<string | Buffer> | undefined> | undefined | null;

/** A context from W3C headers (HTTP request headers, Kafka message headers with Buffer values, stored headers). */
export function contextFromHeaders(headers: HeaderBag, base: Context = context.active()): Context {
  if (!headers) return base;
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined && first !== null) carrier[k.toLowerCase()] = first.toString();
  }
  if (!carrier.traceparent) return base;
  return propagation.extract(base, carrier);
}

/** The span context a `traceparent` names (for links), or undefined. */
export function spanContextOf(headers: HeaderBag): Link | undefined {
  const sc = trace.getSpanContext(contextFromHeaders(headers, context.active()));
  return sc && trace.isSpanContextValid(sc) ? { context: sc } : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent: a context (e.g. from `contextFromHeaders`); default the active one. */
  parent?: Context;
  links?: Link[];
}

/**
 * Runs `fn` inside a new active span; the span ends when `fn` settles, and records an exception status if it throws.
 */
export async function withSpan<T>(
  service: string,
  name: string,
  opts: SpanOptions,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = opts.parent ?? context.active();
  return tracer(service).startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes, links: opts.links },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (e) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.name : 'error' });
        throw e;
      } finally {
        span.end();
      }
    },
  );
}
