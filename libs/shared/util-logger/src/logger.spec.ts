import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, redact, setLogSink } from './logger';

describe('logger', () => {
  it('writes one JSON line and redacts tokens and PII at any depth', () => {
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    try {
      const log = createLogger('test', 'debug').child({ requestId: 'r1' });
      log.info('calling https://tr.snapchat.com/v3/p/events?access_token=SECRET123&x=1', {
        pixel: { access_token: 'SECRET123', id: 'p' },
        user: { email: 'a@b.c', phone: '+4412345', first_name: 'John' },
        headers: { Authorization: 'Bearer abc.def' },
        err: new Error('failed for url ?access_token=SECRET123'),
      });
    } finally {
      restore();
    }
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec.level).toBe('info');
    expect(rec.requestId).toBe('r1');
    expect(lines[0]).not.toMatch(/SECRET123|a@b\.c|\+4412345|John|abc\.def/);
    expect(rec.pixel.id).toBe('p');
  });

  it('filters by level', () => {
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    createLogger('t', 'warn').info('hidden');
    restore();
    expect(lines).toHaveLength(0);
  });

  it('redact leaves ordinary values', () => {
    expect(redact({ a: 1, b: ['x'] })).toEqual({ a: 1, b: ['x'] });
  });
});

describe('logger trace ids', () => {
  it('adds trace_id and span_id while a span is active, and nothing otherwise', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    const sc = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    try {
      const log = createLogger('test', 'info');
      context.with(trace.setSpanContext(context.active(), sc), () => log.info('inside'));
      log.info('outside');
    } finally {
      restore();
      context.disable();
    }
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ msg: 'inside', trace_id: sc.traceId, span_id: sc.spanId });
    expect(outside.trace_id).toBeUndefined();
    expect(outside.span_id).toBeUndefined();
  });
});
