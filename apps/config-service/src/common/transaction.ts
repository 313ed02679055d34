import type { DataSource, EntityManager } from 'typeorm';
import { isSerializationFailure } from '@snaptrack/util-db';
import { ConfigEntityV1, PlacementV1 } from '@snaptrack/contracts-events';
import { OutboxMessage } from '@snaptrack/data-access-outbox';
import { placementOf } from '../publishing/placement.mapper';

export type Publish = (value: ConfigEntityV1.Value) => Promise<void>;

/** The (prefixed) topics a unit of work writes outbox rows for. */
export interface PublishTopics {
  config: string;
  placement: string;
}

/**
 * Runs a unit of work in one transaction: state changes and their config.entity.v1 outbox rows commit together. A
 * `pixel` entity is also written as its placement.v1 record, in the same transaction (every save, delete, key
 * rotation and republish of a pixel goes through `publish`).
 * Deadlocks and serialization failures are retried; after a commit that published anything the relay is woken.
 */
export class UnitOfWork {
  constructor(
    private readonly ds: DataSource,
    private readonly topics: PublishTopics,
    private readonly wake: () => void,
  ) {}

  get dataSource(): DataSource {
    return this.ds;
  }

  async run<T>(fn: (tx: EntityManager, publish: Publish) => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let published = 0;
      try {
        const result = await this.ds.transaction(async (tx) => {
          const publish: Publish = async (value) => {
            ConfigEntityV1.contract.assert(value);
            await tx.save(OutboxMessage, OutboxMessage.for(this.topics.config, ConfigEntityV1.keyOf(value), value));
            if (value.entity_type === 'pixel') {
              const placement = PlacementV1.contract.assert(placementOf(value));
              await tx.save(
                OutboxMessage,
                OutboxMessage.for(this.topics.placement, PlacementV1.keyOf(placement), placement),
              );
            }
            published++;
          };
          return fn(tx, publish);
        });
        if (published) this.wake();
        return result;
      } catch (e) {
        if (attempt < attempts && isSerializationFailure(e)) continue;
        throw e;
      }
    }
  }
}

/**
 * Serialises work on one (namespace, key) until the transaction ends: pg_advisory_xact_lock over two hashtext keys.
 * A hash collision only makes two unrelated keys wait for each other.
 */
export async function lockKey(tx: EntityManager, namespace: string, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [namespace, key]);
}
