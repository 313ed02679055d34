import 'reflect-metadata';
import { activeTraceIds, useInMemoryTracing, withSpan } from '@snaptrack/util-observability';
import { OutboxMessage } from './outbox-message.entity';

useInMemoryTracing();

describe('OutboxMessage trace headers', () => {
  it('a row made inside a span carries its traceparent; outside one, no headers', async () => {
    const row = await withSpan('test', 'write', {}, () => ({
      row: OutboxMessage.for('t', 'k', {}),
      ids: activeTraceIds(),
    }));
    expect(row.row.headers).toEqual({ traceparent: `00-${row.ids!.trace_id}-${row.ids!.span_id}-01` });
    expect(OutboxMessage.for('t', 'k', {}).headers).toBeNull();
    expect(OutboxMessage.traceHeaders()).toBeNull();
  });
});
