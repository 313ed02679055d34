import { activeTraceIds, contextFromHeaders, initTracing, traceHeaders, withSpan } from './tracing';

// Without OTEL_EXPORTER_OTLP_ENDPOINT: nothing is recorded, but the ids travel (and reach log lines).
initTracing({ serviceName: 'no-export' });

describe('tracing without an exporter', () => {
  it('keeps an incoming trace id across spans, passing it on with the sampled flag 0', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parent = contextFromHeaders({ traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    const seen = await withSpan('svc', 'work', { parent }, (span) => {
      expect(span.isRecording()).toBe(false);
      return { ids: activeTraceIds(), headers: traceHeaders() };
    });
    expect(seen.ids?.trace_id).toBe(traceId);
    expect(seen.ids?.span_id).not.toBe('b7ad6b7169203331');
    expect(seen.headers.traceparent).toBe(`00-${traceId}-${seen.ids?.span_id}-00`);
  });

  it('starts a new trace id for a request that brings none', async () => {
    const ids = await withSpan('svc', 'root', {}, () => activeTraceIds());
    expect(ids?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids?.trace_id).not.toBe('00000000000000000000000000000000');
  });
});
