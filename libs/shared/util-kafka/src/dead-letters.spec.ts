import { DeadLetterV1 } from '@snaptrack/contracts-events';
import type { Logger } from '@snaptrack/util-logger';
import type { Producer, ProducerRecord } from 'kafkajs';
import { DEAD_LETTER_REASON_CAP, DEAD_LETTER_VALUE_CAP, DeadLetters } from './dead-letters';

describe('DeadLetters', () => {
  const sent: ProducerRecord[] = [];
  const warnings: unknown[] = [];
  const producer = { send: (r: ProducerRecord) => Promise.resolve(void sent.push(r)) } as unknown as Producer;
  const log = { warn: (_m: string, f: unknown) => void warnings.push(f) } as unknown as Logger;

  it('parks messages on the prefixed dead-letter topic with the original key, capped reason and value', async () => {
    const dl = new DeadLetters(producer, 'p.', 'svc.config', log);
    await dl.parkAll([
      {
        topic: 'p.config.entity.v1',
        partition: 1,
        message: {
          key: Buffer.from('offer:o1'),
          value: Buffer.from('x'.repeat(DEAD_LETTER_VALUE_CAP + 10)),
          offset: '7',
        },
        reason: 'r'.repeat(DEAD_LETTER_REASON_CAP + 10),
      },
      { topic: 'p.config.entity.v1', partition: 0, message: { key: null, value: null, offset: '3' }, reason: 'no key' },
    ]);
    await dl.parkAll([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 'p.dead-letter.v1', acks: -1 });
    const [a, b] = sent[0].messages;
    expect(a.key).toBe('offer:o1');
    expect(b.key).toBe('p.config.entity.v1:0:3');
    const va = DeadLetterV1.contract.decode(a.value as Buffer);
    expect(va).toMatchObject({ consumer: 'svc.config', source_partition: 1, source_offset: '7' });
    expect(va.reason).toHaveLength(DEAD_LETTER_REASON_CAP);
    expect(va.original_value).toHaveLength(DEAD_LETTER_VALUE_CAP);
    expect(DeadLetterV1.contract.decode(b.value as Buffer).original_value).toBeNull();
    expect(dl.count).toBe(2);
    expect(warnings).toHaveLength(2);
  });
});
