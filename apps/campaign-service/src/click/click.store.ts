import { ClickRecordedV1 } from '@snaptrack/contracts-events';
import { type DeadLetters, createConsumer } from '@snaptrack/util-kafka';
import type { Logger } from '@snaptrack/util-logger';
import type { Consumer, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';

const CHUNK = 1000;

/**
 * Consumes our own click.recorded.v1 into the `click` table in batches: one multi-row INSERT … ON CONFLICT
 * (click_id) DO NOTHING per chunk, and the per-campaign counters bumped for the rows that were new, in the same
 * transaction. Redelivery is therefore harmless. Click counts and lists in the API trail the topic by the consumer
 * lag (normally well under a second).
 */
export class ClickStore {
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly ds: DataSource,
    private readonly topic: string,
    readonly groupId: string,
    private readonly deadLetters: DeadLetters,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Short fetch long-polls so a rebalance (another instance joining or leaving) is noticed quickly.
    this.consumer = createConsumer(this.kafka, { groupId: this.groupId, maxWaitTimeInMs: 500 }, this.log);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
        const valid: ClickRecordedV1.Value[] = [];
        for (const m of batch.messages) {
          try {
            valid.push(ClickRecordedV1.contract.decode(m.value));
          } catch (e) {
            await this.deadLetters.park({
              topic: this.topic,
              partition: batch.partition,
              message: m,
              reason: (e as Error).message,
            });
          }
        }
        for (let i = 0; i < valid.length; i += CHUNK) {
          await this.insert(valid.slice(i, i + CHUNK));
          await heartbeat();
        }
        if (batch.messages.length) resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await commitOffsetsIfNecessary();
      },
    });
  }

  /** Idempotent bulk insert; returns how many clicks were new. */
  async insert(clicks: ClickRecordedV1.Value[]): Promise<number> {
    const unique = [...new Map(clicks.map((c) => [c.click_id, c])).values()];
    if (!unique.length) return 0;
    const col = <K extends keyof ClickRecordedV1.Value>(k: K) => unique.map((c) => c[k] ?? null);
    return this.ds.transaction(async (tx) => {
      const inserted: Array<{ campaign_id: string }> = await tx.query(
        `INSERT INTO click (click_id, account_id, campaign_id, traffic_channel_id, traffic_channel_template, offer_id,
                            offer_source_id, tracking_method, sc_click_id, ip, user_agent, referrer, landing_url,
                            params, clicked_at)
         SELECT u.click_id, u.account_id, u.campaign_id, u.traffic_channel_id, u.traffic_channel_template, u.offer_id,
                u.offer_source_id, u.tracking_method, u.sc_click_id, u.ip, u.user_agent, u.referrer, u.landing_url,
                u.params::jsonb, u.clicked_at::timestamptz
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
             AS u(click_id, account_id, campaign_id, traffic_channel_id, traffic_channel_template, offer_id,
                  offer_source_id, tracking_method, sc_click_id, ip, user_agent, referrer, landing_url, params,
                  clicked_at)
         ON CONFLICT (click_id) DO NOTHING
         RETURNING campaign_id`,
        [
          col('click_id'),
          col('account_id'),
          col('campaign_id'),
          col('traffic_channel_id'),
          col('traffic_channel_template'),
          col('offer_id'),
          col('offer_source_id'),
          col('tracking_method'),
          col('sc_click_id'),
          col('ip'),
          col('user_agent'),
          col('referrer'),
          col('landing_url'),
          unique.map((c) => JSON.stringify(c.params)),
          col('clicked_at'),
        ],
      );
      const counts = new Map<string, number>();
      for (const r of inserted) counts.set(r.campaign_id, (counts.get(r.campaign_id) ?? 0) + 1);
      const ids = [...counts.keys()].sort(); // one lock order for every instance: no deadlocks between them
      if (ids.length) {
        await tx.query(
          `INSERT INTO campaign_click_count (campaign_id, clicks)
           SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (campaign_id) DO UPDATE SET clicks = campaign_click_count.clicks + EXCLUDED.clicks`,
          [ids, ids.map((id) => counts.get(id))],
        );
      }
      if (inserted.length) this.log.debug('stored clicks', { received: clicks.length, new: inserted.length });
      return inserted.length;
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }
}
