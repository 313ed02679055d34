import { useInMemoryTracing } from '@snaptrack/util-observability';
import { post, startTestGateway } from './harness';

const spans = useInMemoryTracing();

/** The gateway and a real account-service in-process, recording spans in memory. */
describe('gateway: traces reach the subgraphs; /metrics', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    key = (await gw.accounts.createAccount('Traced')).key.apiKey;
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });

  it("continues the caller's trace in the gateway and passes it to the subgraph it queries", async () => {
    const traceId = '6e0c63257de34c92bf9efcd03927272e';
    const res = await post(
      gw.url,
      { query: '{ viewer { accountName } }' },
      { authorization: `Bearer ${key}`, traceparent: `00-${traceId}-4444444444444444-01` },
    );
    expect(res.json.data.viewer.accountName).toBe('Traced');
    const inTrace = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const gateway = inTrace.find((s) => s.instrumentationScope.name === 'gateway');
    const subgraph = inTrace.find((s) => s.instrumentationScope.name === 'account-service');
    expect(gateway?.name).toBe('POST /graphql');
    expect(gateway?.parentSpanContext?.spanId).toBe('4444444444444444');
    expect(subgraph?.name).toBe('POST /graphql');
    // Its parent is Apollo gateway's fetch span (apollo/gateway-js traces itself), a descendant of the gateway's span.
    const byId = new Map(inTrace.map((sp) => [sp.spanContext().spanId, sp]));
    const ancestors: string[] = [];
    for (let id = subgraph?.parentSpanContext?.spanId; id && byId.has(id); id = byId.get(id)!.parentSpanContext?.spanId)
      ancestors.push(byId.get(id)!.name);
    expect(ancestors[0]).toBe('gateway.fetch');
    expect(ancestors[ancestors.length - 1]).toBe('POST /graphql');
    expect(ancestors).toContain('gateway.request');
  });

  it('serves /metrics with request durations by route template', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /snaptrack_http_request_duration_seconds_count\{service="gateway",method="POST",route="\/graphql"/,
    );
    expect(text).not.toContain(key);
  });
});
