import './request-queue-timer';

// The fix is installed when the module loads; these tests reach kafkajs' queue as it runs (an idle client on the
// real broker: kafka.spec.ts).
const RequestQueue = require('kafkajs/src/network/requestQueue');

const kafkajsLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function queue() {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'test:9092',
    logger: kafkajsLogger,
  });
}

describe("kafkajs' request queue timer (util-kafka's fix of its busy loop)", () => {
  it('sets no timer while nothing waits in the queue', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('checks a waiting request again after 10 ms, or when the throttle ends', async () => {
    const q = queue();
    const sent: number[] = [];
    const request = (id: number) => ({
      entry: { correlationId: id, resolve: () => undefined, reject: () => undefined },
      expectResponse: true,
      sendRequest: () => sent.push(id),
    });
    q.push(request(1)); // sent: the in-flight limit is 1
    q.push(request(2)); // waits for the first
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);

    q.maybeThrottle(80); // the broker asked us to wait 80 ms
    q.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    q.push(request(3));
    expect(sent).toEqual([1, 2]);
    await sleep(30);
    expect(sent).toEqual([1, 2]); // still throttled
    await sleep(100);
    expect(sent).toEqual([1, 2, 3]);
    q.fulfillRequest({ correlationId: 3, payload: Buffer.alloc(0), size: 0 });
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });
});
