import type { Message, Producer, ProducerBatch } from 'kafkajs';
import { BatchingProducer } from './batching-producer';

/** A producer whose sendBatch calls stay pending until the test acknowledges (or fails) them one by one. */
function fakeProducer() {
  const calls: Array<{ batch: ProducerBatch; ack: () => void; fail: (e: Error) => void }> = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise((resolve, reject) => calls.push({ batch, ack: () => resolve([]), fail: reject })),
  } as unknown as Producer;
  const keys = (i: number) => calls[i].batch.topicMessages?.flatMap((t) => t.messages.map((m) => String(m.key)));
  return { producer, calls, keys };
}

const msg = (key: string): Message => ({ key, value: `v-${key}` });
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls (a loaded CI machine may fire timers late) until `n` sendBatch calls were made. */
async function calls$(calls: unknown[], n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (calls.length < n && Date.now() < deadline) await sleep(2);
  expect(calls).toHaveLength(n);
}

describe('BatchingProducer', () => {
  it('ships concurrent sends in one sendBatch (acks=-1) after the linger, each resolving only on the ack', async () => {
    const { producer, calls, keys } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 30, timeoutMs: 1234 });
    const done: string[] = [];
    const sends = ['a', 'b', 'c'].map((k) => b.send('t', msg(k)).then(() => void done.push(k)));
    await tick();
    expect(calls).toHaveLength(0); // lingering
    await calls$(calls, 1);
    expect(calls[0].batch.acks).toBe(-1);
    expect(calls[0].batch.timeout).toBe(1234);
    expect(keys(0)).toEqual(['a', 'b', 'c']);
    await tick();
    expect(done).toEqual([]);
    calls[0].ack();
    await Promise.all(sends);
    expect(done).toEqual(['a', 'b', 'c']);
  });

  it('groups the records of several topics by topic in the same request', async () => {
    const { producer, calls } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 1 });
    const sends = [b.send('t1', msg('a')), b.send('t2', msg('b')), b.send('t1', msg('c'))];
    await calls$(calls, 1);
    expect(calls[0].batch.topicMessages?.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['t1', ['a', 'c']],
      ['t2', ['b']],
    ]);
    calls[0].ack();
    await Promise.all(sends);
  });

  it('with maxInFlight batches outstanding, queues sends and ships them together on the next ack', async () => {
    const { producer, calls, keys } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 1, maxInFlight: 1 });
    const first = b.send('t', msg('a'));
    await calls$(calls, 1);
    const later = ['b', 'c', 'd'].map((k) => b.send('t', msg(k)));
    await sleep(15);
    expect(calls).toHaveLength(1); // still waiting for the first ack
    calls[0].ack();
    await first;
    await calls$(calls, 2);
    expect(keys(1)).toEqual(['b', 'c', 'd']);
    calls[1].ack();
    await Promise.all(later);
  });

  it('allows up to maxInFlight batches at once', async () => {
    const { producer, calls } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 1, maxInFlight: 2 });
    const sends = [b.send('t', msg('a'))];
    await calls$(calls, 1);
    sends.push(b.send('t', msg('b')));
    await calls$(calls, 2);
    sends.push(b.send('t', msg('c')));
    await sleep(10);
    expect(calls).toHaveLength(2);
    calls[1].ack();
    await sends[1];
    await calls$(calls, 3);
    calls[0].ack();
    calls[2].ack();
    await Promise.all(sends);
  });

  it('splits a queue longer than maxBatch into several requests', async () => {
    const { producer, calls, keys } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 50, maxBatch: 2, maxInFlight: 5 });
    const sends = ['a', 'b', 'c'].map((k) => b.send('t', msg(k)));
    await tick();
    expect(calls).toHaveLength(1); // a full batch goes out without waiting for the linger
    expect(keys(0)).toEqual(['a', 'b']);
    await calls$(calls, 2);
    expect(keys(1)).toEqual(['c']);
    calls.forEach((c) => c.ack());
    await Promise.all(sends);
  });

  it('rejects exactly the sends of a failed batch', async () => {
    const { producer, calls } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 1, maxInFlight: 1 });
    const first = [b.send('t', msg('a')), b.send('t', msg('b'))];
    await calls$(calls, 1);
    const second = b.send('t', msg('c'));
    calls[0].fail(new Error('broker down'));
    await expect(first[0]).rejects.toThrow('broker down');
    await expect(first[1]).rejects.toThrow('broker down');
    await calls$(calls, 2);
    calls[1].ack();
    await expect(second).resolves.toBeUndefined();
  });

  it('drain() ships the queue and waits for every batch, also those queued behind in-flight ones', async () => {
    const { producer, calls } = fakeProducer();
    const b = new BatchingProducer(producer, { lingerMs: 1000, maxInFlight: 1 });
    const sends = [b.send('t', msg('a'))];
    let drained = false;
    const draining = b.drain().then(() => (drained = true));
    await tick();
    expect(calls).toHaveLength(1);
    sends.push(b.send('t', msg('b')));
    calls[0].ack();
    await calls$(calls, 2);
    await tick();
    expect(drained).toBe(false);
    calls[1].ack();
    await draining;
    await Promise.all(sends);
  });
});
