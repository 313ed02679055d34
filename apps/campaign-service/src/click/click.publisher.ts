import { ClickRecordedV1 } from '@snaptrack/contracts-events';
import type { Message } from 'kafkajs';

/** The click could not be acknowledged by the broker in time; the visitor gets a 503, never a pretend 302. */
export class ClickNotRecorded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ClickNotRecorded';
  }
}

export type SendFn = (topic: string, message: Message) => Promise<void>;

/**
 * Publishes one click (key = click_id) and resolves only once the broker acknowledged it (acks=-1, through the
 * BatchingProducer that ships concurrent clicks together). Bounded: after `timeoutMs` it rejects with
 * ClickNotRecorded even if the send is still retrying. A send that succeeds after the timeout leaves a click the
 * visitor was told failed; the retry then records a second click, which attribution tolerates (last click wins).
 */
export class ClickPublisher {
  constructor(
    private readonly send: SendFn,
    private readonly topic: string,
    private readonly timeoutMs: number,
  ) {}

  async publish(click: ClickRecordedV1.Value): Promise<void> {
    const message: Message = { key: click.click_id, value: ClickRecordedV1.contract.encode(click) };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ClickNotRecorded(`broker did not acknowledge within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([
        this.send(this.topic, message).catch((e: unknown) => {
          throw new ClickNotRecorded(`produce failed: ${(e as Error)?.message ?? e}`);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
