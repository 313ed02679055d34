import { request } from 'node:http';
import { buildHandler, listen, sendJson, type Listening } from '@snaptrack/util-http';
import { createLogger, setLogSink } from '@snaptrack/util-logger';
import { createObservability } from './observability';
import { useInMemoryTracing } from './tracing';

const spans = useInMemoryTracing();

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('httpInstrumentation', () => {
  let server: Listening;
  const lines: string[] = [];
  let restore: () => void;
  const obs = createObservability('svc');
  beforeAll(async () => {
    restore = setLogSink((l) => lines.push(l));
    const log = createLogger('svc', 'info');
    server = await listen(
      buildHandler(
        [
          {
            method: 'GET',
            path: /^\/items\/[0-9]+$/,
            name: '/items/:id',
            handler: (_req, res) => {
              log.info('item served');
              sendJson(res, 200, { ok: true });
            },
          },
          { method: 'GET', path: /^\/boom$/, handler: () => Promise.reject(new Error('x')) },
        ],
        { instrument: obs.http },
      ),
      0,
    );
  });
  afterAll(async () => {
    restore();
    await server.close();
  });

  it('observes durations by route template and status, and serves /metrics', async () => {
    await get(`${server.url}/items/918273645`);
    await get(`${server.url}/items/564738291`);
    await get(`${server.url}/nope/192837465`);
    await get(`${server.url}/boom`);
    const scraped = await get(`${server.url}/metrics`);
    expect(scraped.status).toBe(200);
    const body = scraped.body;
    expect(body).toMatch(
      /snaptrack_http_request_duration_seconds_count\{service="svc",method="GET",route="\/items\/:id",status="200"\} 2/,
    );
    expect(body).toMatch(/route="unmatched",status="404"/);
    expect(body).toMatch(/route="\^\\\\\/boom\$",status="500"/);
    expect(body).not.toMatch(/918273645|564738291|192837465/);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes\{service="svc"\}/m);
  });

  it('times probes without tracing them, and never times the scrape itself', async () => {
    const before = spans.getFinishedSpans().length;
    await get(`${server.url}/healthz`, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    await get(`${server.url}/metrics`);
    const body = (await get(`${server.url}/metrics`)).body;
    expect(spans.getFinishedSpans()).toHaveLength(before);
    expect(body).toMatch(/snaptrack_http_request_duration_seconds_count\{[^}]*route="\/healthz",status="200"\} 1/);
    expect(body).not.toMatch(/route="\/metrics"/);
  });

  it('continues an incoming traceparent in a SERVER span, and log lines carry its ids', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    lines.length = 0;
    await get(`${server.url}/items/1`, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const span = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
    expect(span?.name).toBe('GET /items/:id');
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    const rec = JSON.parse(lines.find((l) => l.includes('item served')) ?? '{}');
    expect(rec.trace_id).toBe(traceId);
    expect(rec.span_id).toBe(span?.spanContext().spanId);
  });
});
