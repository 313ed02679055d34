import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OutboxMessage, type OutboxRelay } from '@snaptrack/data-access-outbox';
import { DeliveryCommandV1, TOPICS, isUuid, topicName, type DeliveryResultV1 } from '@snaptrack/contracts-events';
import { badInput, notFound } from '@snaptrack/util-federation';
import type { ConfigViewService } from '../config-view/config-view.service';
import type { ConversionService } from '../conversion/conversion.service';
import { Delivery } from './delivery.entity';
import { DeliveryCommandRecord } from './delivery-command.entity';

export const MAX_REDELIVER_IDS = 10000;

export interface CommandProgress {
  command: DeliveryCommandRecord;
  results: number;
  byStatus: Record<string, number>;
}

/** Delivery-status view (delivery.result.v1) and the redeliver / backfill commands (delivery.command.v1). */
export class DeliveryService {
  constructor(
    private readonly ds: DataSource,
    private readonly topicPrefix: string,
    private readonly conversions: ConversionService,
    private readonly config: ConfigViewService,
    private readonly relay: Pick<OutboxRelay, 'wake'> | null,
  ) {}

  /**
   * Upserts a batch of results; per (conversion, destination, pixel) only a higher revision replaces the stored one.
   */
  async applyResults(values: DeliveryResultV1.Value[]): Promise<void> {
    if (!values.length) return;
    const latest = new Map<string, DeliveryResultV1.Value>();
    const perCommand = new Map<string, DeliveryResultV1.Value>();
    for (const v of values) {
      const key = JSON.stringify([v.conversion_id, v.destination, v.pixel_id]);
      const seen = latest.get(key);
      if (!seen || v.revision >= seen.revision) latest.set(key, v);
      if (v.command_id) {
        const ck = JSON.stringify([v.command_id, v.conversion_id, v.destination, v.pixel_id]);
        const s = perCommand.get(ck);
        if (!s || v.revision >= s.revision) perCommand.set(ck, v);
      }
    }
    const rows = [...latest.values()].map((v) => ({
      conversion_id: v.conversion_id,
      destination: v.destination,
      pixel_id: v.pixel_id,
      account_id: v.account_id,
      status: v.status,
      reason_code: v.reason_code ?? null,
      message: v.message ?? null,
      attempts: v.attempts,
      http_status: v.http_status ?? null,
      event_name: v.event_name ?? null,
      event_id: v.event_id ?? null,
      test_mode: v.test_mode ?? false,
      placements: v.placements ?? [],
      next_attempt_at: v.next_attempt_at ?? null,
      delivered_at: v.delivered_at ?? null,
      updated_at: v.updated_at,
      revision: v.revision,
      command_id: v.command_id ?? null,
    }));
    await this.ds.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO delivery (conversion_id, destination, pixel_id, account_id, status, reason_code, message,
           attempts, http_status,
           event_name, event_id, test_mode, placements, next_attempt_at, delivered_at, updated_at, revision, command_id)
         SELECT x.conversion_id, x.destination, x.pixel_id, x.account_id, x.status, x.reason_code, x.message,
           x.attempts, x.http_status,
           x.event_name, x.event_id, coalesce(x.test_mode, false),
             coalesce(ARRAY(SELECT jsonb_array_elements_text(x.placements)), '{}'),
           x.next_attempt_at, x.delivered_at, x.updated_at, x.revision, x.command_id
         FROM jsonb_to_recordset($1::jsonb) AS x(conversion_id text, destination text, pixel_id text, account_id text,
           status text,
           reason_code text, message text, attempts integer, http_status integer, event_name text, event_id text,
             test_mode boolean,
           placements jsonb, next_attempt_at timestamptz, delivered_at timestamptz, updated_at timestamptz,
             revision bigint, command_id text)
         ON CONFLICT (conversion_id, destination, pixel_id) DO UPDATE SET account_id = EXCLUDED.account_id,
           status = EXCLUDED.status,
           reason_code = EXCLUDED.reason_code, message = EXCLUDED.message, attempts = EXCLUDED.attempts,
             http_status = EXCLUDED.http_status,
           event_name = EXCLUDED.event_name, event_id = EXCLUDED.event_id, test_mode = EXCLUDED.test_mode,
             placements = EXCLUDED.placements,
           next_attempt_at = EXCLUDED.next_attempt_at, delivered_at = EXCLUDED.delivered_at,
             updated_at = EXCLUDED.updated_at,
           revision = EXCLUDED.revision, command_id = EXCLUDED.command_id
         WHERE delivery.revision < EXCLUDED.revision`,
        [JSON.stringify(rows)],
      );
      if (perCommand.size) {
        const cmdRows = [...perCommand.values()].map((v) => ({
          command_id: v.command_id,
          conversion_id: v.conversion_id,
          destination: v.destination,
          pixel_id: v.pixel_id,
          status: v.status,
          revision: v.revision,
          updated_at: v.updated_at,
        }));
        await tx.query(
          `INSERT INTO delivery_command_result (command_id, conversion_id, destination, pixel_id, status, revision,
           updated_at)
           SELECT x.command_id, x.conversion_id, x.destination, x.pixel_id, x.status, x.revision, x.updated_at
           FROM jsonb_to_recordset($1::jsonb) AS x(command_id text, conversion_id text, destination text,
             pixel_id text, status text,
             revision bigint, updated_at timestamptz)
           ON CONFLICT (command_id, conversion_id, destination, pixel_id) DO UPDATE SET status = EXCLUDED.status,
             revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
           WHERE delivery_command_result.revision < EXCLUDED.revision`,
          [JSON.stringify(cmdRows)],
        );
      }
    });
  }

  /** Deliveries of several conversions at once (one query per GraphQL page). */
  async forConversions(conversionIds: string[]): Promise<Map<string, Delivery[]>> {
    const out = new Map<string, Delivery[]>(conversionIds.map((id) => [id, []]));
    if (!conversionIds.length) return out;
    const rows = await this.ds
      .getRepository(Delivery)
      .createQueryBuilder('d')
      .where('d.conversion_id = ANY(:ids)', { ids: conversionIds })
      .orderBy('d.pixel_id', 'ASC')
      .addOrderBy('d.destination', 'ASC')
      .getMany();
    for (const r of rows) out.get(r.conversionId)?.push(r);
    return out;
  }

  private async writeCommand(record: DeliveryCommandRecord, value: DeliveryCommandV1.Value): Promise<string> {
    DeliveryCommandV1.contract.assert(value);
    await this.ds.transaction(async (tx) => {
      await tx.getRepository(DeliveryCommandRecord).insert(record);
      await tx.save(
        OutboxMessage,
        OutboxMessage.for(topicName(this.topicPrefix, TOPICS.deliveryCommandV1), record.accountId, value),
      );
    });
    this.relay?.wake();
    return record.id;
  }

  /** Asks the dispatchers to resend the failed deliveries of these conversions (optionally to one pixel). */
  async redeliver(accountId: string, conversionIds: string[], pixelId: string | null | undefined): Promise<string> {
    const ids = [...new Set(conversionIds.map((s) => s.trim()))];
    if (!ids.length) throw badInput('conversionIds must name at least one conversion', 'conversionIds');
    if (ids.length > MAX_REDELIVER_IDS)
      throw badInput(`at most ${MAX_REDELIVER_IDS} conversions per request`, 'conversionIds');
    const pixel = pixelId?.trim() || null;
    if (pixelId !== null && pixelId !== undefined && !pixel) throw badInput('pixelId must not be blank', 'pixelId');
    const owned = await this.conversions.ownedIds(accountId, ids);
    const missing = ids.find((id) => !owned.has(id));
    if (missing !== undefined) throw notFound('Conversion', missing);
    const requestedAt = new Date();
    const id = randomUUID();
    return this.writeCommand(
      Object.assign(new DeliveryCommandRecord(), {
        id,
        accountId,
        kind: 'redeliver',
        conversionCount: ids.length,
        pixelId: pixel,
        pixelConfigId: null,
        sinceDays: null,
        requestedAt,
      }),
      {
        schema: 'delivery.command.v1',
        command_id: id,
        account_id: accountId,
        kind: 'redeliver',
        conversion_ids: ids,
        pixel_id: pixel,
        requested_at: requestedAt.toISOString(),
      },
    );
  }

  /** Asks the dispatchers to deliver the last `days` days of conversions to a newly configured pixel. */
  async backfill(accountId: string, pixelConfigId: string, days: number): Promise<string> {
    if (!Number.isInteger(days) || days < 1 || days > 37)
      throw badInput('days must be between 1 and 37 (Snapchat ignores older events)', 'days');
    if ((await this.config.pixelAccount(pixelConfigId)) !== accountId) throw notFound('Pixel', pixelConfigId);
    const requestedAt = new Date();
    const id = randomUUID();
    return this.writeCommand(
      Object.assign(new DeliveryCommandRecord(), {
        id,
        accountId,
        kind: 'backfill',
        conversionCount: null,
        pixelId: null,
        pixelConfigId,
        sinceDays: days,
        requestedAt,
      }),
      {
        schema: 'delivery.command.v1',
        command_id: id,
        account_id: accountId,
        kind: 'backfill',
        pixel_config_id: pixelConfigId,
        since_days: days,
        requested_at: requestedAt.toISOString(),
      },
    );
  }

  /** A command of this account and how many delivery results named it so far, by status. */
  async commandProgress(accountId: string, id: string): Promise<CommandProgress | null> {
    if (!isUuid(id)) return null;
    const command = await this.ds.getRepository(DeliveryCommandRecord).findOneBy({ id, accountId });
    if (!command) return null;
    const rows: Array<{ status: string; n: number }> = await this.ds.query(
      `SELECT status, count(*)::int AS n FROM delivery_command_result WHERE command_id = $1 GROUP BY status`,
      [id],
    );
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { command, results: rows.reduce((a, r) => a + r.n, 0), byStatus };
  }
}
