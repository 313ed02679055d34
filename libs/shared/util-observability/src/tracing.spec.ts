import { context } from '@opentelemetry/api';
import {
  activeTraceIds,
  contextFromHeaders,
  spanContextOf,
  traceHeaders,
  useInMemoryTracing,
  withSpan,
} from './tracing';

const spans = useInMemoryTracing();

describe('tracing', () => {
  it('injects and extracts W3C traceparent through string and Buffer headers', async () => {
    let headers: Record<string, string> = {};
    let ids: ReturnType<typeof activeTraceIds>;
    await withSpan('a', 'produce', {}, async () => {
      headers = traceHeaders();
      ids = activeTraceIds();
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.traceparent).toContain(ids!.trace_id);
    const kafkaHeaders = { traceparent: Buffer.from(headers.traceparent), 'message-id': Buffer.from('7') };
    await withSpan('b', 'consume', { parent: contextFromHeaders(kafkaHeaders) }, async () => {
      expect(activeTraceIds()?.trace_id).toBe(ids!.trace_id);
    });
    const consume = spans.getFinishedSpans().find((s) => s.name === 'consume');
    expect(consume?.parentSpanContext?.spanId).toBe(ids!.span_id);
    expect(spanContextOf(kafkaHeaders)?.context.traceId).toBe(ids!.trace_id);
  });

  it('gives no headers, ids or link without a span, and marks a throwing span as an error', async () => {
    expect(traceHeaders(context.active())).toEqual({});
    expect(activeTraceIds()).toBeUndefined();
    expect(spanContextOf({ traceparent: 'garbage' })).toBeUndefined();
    await expect(withSpan('a', 'fails', {}, () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(spans.getFinishedSpans().find((s) => s.name === 'fails')?.status.code).toBe(2);
  });
});
