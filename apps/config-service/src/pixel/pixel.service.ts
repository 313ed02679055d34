import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, notFound, userError, type PageArgs } from '@snaptrack/util-federation';
import { isUniqueViolation, pgCode, pgConstraint } from '@snaptrack/util-db';
import { tokenHint, type TokenCipher } from '@snaptrack/util-crypto';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import { lockKey, type Publish, type UnitOfWork } from '../common/transaction';
import { deletedEvent, pixelEvent } from '../publishing/config-entity.mapper';
import { ConversionTypeEntity } from '../conversion-type/conversion-type.entity';
import { OfferEntity } from '../offer/offer.entity';
import { TrafficChannelEntity } from '../traffic-channel/traffic-channel.entity';
import { findTemplate } from '../template/template.catalog';
import { PixelEntity, PixelEventMappingEntity, type PlacementKind } from './pixel.entity';
import {
  accessToken,
  backfillDays,
  eventMapping,
  snapPixelId,
  type MappingEntry,
  type PixelInput,
  type PixelEventMappingInput,
  type UpdatePixelInput,
} from './pixel.input';

type Target = { kind: 'channel'; channel: TrafficChannelEntity } | { kind: 'offer'; offer: OfferEntity };

interface NormalisedPixelInput {
  pixelId?: string;
  token?: string;
  testMode?: boolean;
  limitedDataUse?: boolean;
  mapping?: MappingEntry[];
  /** PixelInput.backfillDays > 0: published once, on the version this save makes (config.entity.v1 backfill_days). */
  backfillDays?: number;
}

const BOTH_LEVELS =
  'configure it on the traffic channel OR on the offer, not both, or Snapchat would receive duplicated conversions';

/**
 * Pixel placements, their write-only tokens and event mappings. Lock order in every write: the parent row (channel
 * or offer) → the (account, Snap pixel id) advisory lock → the pixel row, so concurrent writers queue instead of
 * deadlocking, and the no-duplicate-pixel check always sees the other writer's committed row.
 */
export class PixelService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cipher: TokenCipher,
    private readonly log: Logger,
  ) {}

  private get ds() {
    return this.uow.dataSource;
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  list(accountId: string, page: PageArgs): Promise<Page<PixelEntity>> {
    return paginate(
      this.ds.getRepository(PixelEntity).createQueryBuilder('p').where('p.accountId = :accountId', { accountId }),
      page,
    );
  }

  async find(accountId: string, id: string): Promise<PixelEntity | null> {
    if (!isUuid(id)) return null;
    return this.ds.getRepository(PixelEntity).findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<PixelEntity> {
    const p = await this.find(accountId, id);
    if (!p) throw notFound('Pixel', id);
    return p;
  }

  channelPixel(accountId: string, trafficChannelId: string): Promise<PixelEntity | null> {
    return this.ds.getRepository(PixelEntity).findOne({ where: { accountId, trafficChannelId } });
  }

  offerPixels(accountId: string, offerId: string): Promise<PixelEntity[]> {
    return this.ds
      .getRepository(PixelEntity)
      .find({ where: { accountId, offerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  mapping(accountId: string, placementId: string): Promise<PixelEventMappingEntity[]> {
    return this.ds
      .getRepository(PixelEventMappingEntity)
      .find({ where: { accountId, placementId }, order: { snapEventName: 'ASC', conversionTypeId: 'ASC' } });
  }

  // ---- writes ------------------------------------------------------------------------------------------------

  /** The channel's default data source: creates it, or updates the one the channel already has (at most one). */
  async setChannelPixel(accountId: string, channelId: string, input: PixelInput): Promise<PixelEntity> {
    const n = this.normalise(input, true);
    return this.uow.run(async (tx, publish) => {
      const channel = await this.lockChannel(tx, accountId, channelId);
      const template = findTemplate(channel.templateKey);
      if (!template?.supportsCapi) {
        throw badInput(
          `Traffic channel "${channel.name}" uses the ${template?.name ?? channel.templateKey} template, ` +
            `which has no Snapchat Conversions API data source`,
          'channelId',
        );
      }
      await this.lockPixelId(tx, accountId, n.pixelId!);
      const existing = await tx.findOne(PixelEntity, {
        where: { accountId, trafficChannelId: channel.id },
        lock: { mode: 'pessimistic_write' },
      });
      await this.assertNoDuplicate(tx, accountId, n.pixelId!, { kind: 'channel', channel }, existing?.id ?? null);
      if (existing) return this.apply(tx, publish, existing, n);
      return this.create(tx, publish, accountId, 'channel', channel.id, n);
    });
  }

  /** Adds a pixel to an offer's CAPI tab (any number of distinct pixels per offer). */
  async addOfferPixel(accountId: string, offerId: string, input: PixelInput): Promise<PixelEntity> {
    const n = this.normalise(input, true);
    return this.uow.run(async (tx, publish) => {
      const offer = await this.lockOffer(tx, accountId, offerId);
      await this.lockPixelId(tx, accountId, n.pixelId!);
      await this.assertNoDuplicate(tx, accountId, n.pixelId!, { kind: 'offer', offer }, null);
      return this.create(tx, publish, accountId, 'offer', offer.id, n);
    });
  }

  async update(accountId: string, id: string, input: UpdatePixelInput): Promise<PixelEntity> {
    const n = this.normalise(input, false);
    return this.uow.run(async (tx, publish) => {
      const { row, target } = await this.lockPlacement(tx, accountId, id);
      if (n.pixelId && n.pixelId !== row.pixelId) {
        await this.lockPixelId(tx, accountId, n.pixelId);
        await this.assertNoDuplicate(tx, accountId, n.pixelId, target, row.id);
      }
      return this.apply(tx, publish, row, n);
    });
  }

  async setEventMapping(accountId: string, id: string, mapping: PixelEventMappingInput[]): Promise<PixelEntity> {
    const m = eventMapping(mapping);
    return this.uow.run(async (tx, publish) => {
      const { row } = await this.lockPlacement(tx, accountId, id);
      return this.apply(tx, publish, row, { mapping: m });
    });
  }

  async remove(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      const { row } = await this.lockPlacement(tx, accountId, id);
      await tx.delete(PixelEntity, { id: row.id, accountId }); // the mapping goes with it (ON DELETE CASCADE)
      await publish(deletedEvent('pixel', row));
      this.log.info('pixel removed', {
        accountId,
        placementId: row.id,
        pixelId: row.pixelId,
        placement: row.placementKind,
      });
      return row.id;
    });
  }

  /**
   * Re-encrypts every token not under the active key (one account, or all when accountId is null) and re-publishes
   * those pixels, so consumers get ciphertext they can still decrypt once the old key is retired.
   */
  async rotateTokens(accountId: string | null): Promise<{ rotated: number; failed: number; activeKeyId: string }> {
    const active = this.cipher.activeKeyId;
    const failed = new Set<string>();
    let rotated = 0;
    for (;;) {
      const batch = await this.uow.run(async (tx, publish) => {
        const qb = tx
          .createQueryBuilder(PixelEntity, 'p')
          .where('p.tokenKeyId IS NOT NULL AND p.tokenKeyId <> :active', { active })
          .orderBy('p.id', 'ASC')
          .limit(100)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked');
        if (accountId !== null) qb.andWhere('p.accountId = :accountId', { accountId });
        if (failed.size) qb.andWhere('p.id NOT IN (:...failed)', { failed: [...failed] });
        const rows = await qb.getMany();
        for (const row of rows) {
          let plain: string;
          try {
            plain = this.cipher.decrypt({ key_id: row.tokenKeyId!, ciphertext: row.tokenCiphertext! }, row.id);
          } catch (e) {
            failed.add(row.id);
            this.log.warn('cannot re-encrypt a pixel token: no configured key decrypts it', {
              accountId: row.accountId,
              placementId: row.id,
              keyId: row.tokenKeyId,
              err: e,
            });
            continue;
          }
          const enc = this.cipher.encrypt(plain, row.id);
          row.tokenKeyId = enc.key_id;
          row.tokenCiphertext = enc.ciphertext;
          touch(row);
          await this.saveRow(tx, row);
          await publish(pixelEvent(row, await tx.find(PixelEventMappingEntity, { where: { placementId: row.id } })));
          rotated++;
        }
        return rows.length;
      });
      if (batch < 100) break;
    }
    if (rotated || failed.size)
      this.log.info('pixel tokens re-encrypted', { rotated, failed: failed.size, activeKeyId: active });
    return { rotated, failed: failed.size, activeKeyId: active };
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private normalise(input: PixelInput | UpdatePixelInput, creating: boolean): NormalisedPixelInput {
    const out: NormalisedPixelInput = {};
    if (creating || (input.pixelId !== undefined && input.pixelId !== null)) out.pixelId = snapPixelId(input.pixelId);
    if (input.accessToken !== undefined && input.accessToken !== null) out.token = accessToken(input.accessToken);
    if (typeof input.testMode === 'boolean') out.testMode = input.testMode;
    if (typeof input.limitedDataUse === 'boolean') out.limitedDataUse = input.limitedDataUse;
    if (input.eventMapping) out.mapping = eventMapping(input.eventMapping);
    if ('backfillDays' in input) {
      const days = backfillDays(input.backfillDays);
      if (days > 0) out.backfillDays = days;
    }
    return out;
  }

  private async create(
    tx: EntityManager,
    publish: Publish,
    accountId: string,
    kind: PlacementKind,
    parentId: string,
    n: NormalisedPixelInput,
  ): Promise<PixelEntity> {
    const row = newRow<PixelEntity>(accountId, randomUUID(), {
      pixelId: n.pixelId!,
      placementKind: kind,
      trafficChannelId: kind === 'channel' ? parentId : null,
      offerId: kind === 'offer' ? parentId : null,
      tokenKeyId: null,
      tokenCiphertext: null,
      tokenHint: null,
      testMode: n.testMode ?? false,
      limitedDataUse: n.limitedDataUse ?? false,
    });
    if (n.token) this.setToken(row, n.token);
    await this.write(tx, () => tx.insert(PixelEntity, row), n.pixelId!);
    const mapping = await this.replaceMapping(tx, row, n.mapping ?? []);
    await publish(pixelEvent(row, mapping, n.backfillDays));
    this.log.info('pixel configured', {
      accountId,
      placementId: row.id,
      pixelId: row.pixelId,
      placement: kind,
      parentId,
      hasToken: row.tokenCiphertext !== null,
      testMode: row.testMode,
    });
    return row;
  }

  private async apply(
    tx: EntityManager,
    publish: Publish,
    row: PixelEntity,
    n: NormalisedPixelInput,
  ): Promise<PixelEntity> {
    let changed = false;
    if (n.pixelId !== undefined && n.pixelId !== row.pixelId) {
      row.pixelId = n.pixelId;
      changed = true;
    }
    if (n.token !== undefined) {
      this.setToken(row, n.token);
      changed = true;
    }
    if (n.testMode !== undefined && n.testMode !== row.testMode) {
      row.testMode = n.testMode;
      changed = true;
    }
    if (n.limitedDataUse !== undefined && n.limitedDataUse !== row.limitedDataUse) {
      row.limitedDataUse = n.limitedDataUse;
      changed = true;
    }
    let mapping: Pick<PixelEventMappingEntity, 'conversionTypeId' | 'snapEventName'>[];
    if (n.mapping) {
      const before = await tx.find(PixelEventMappingEntity, { where: { placementId: row.id } });
      mapping = await this.replaceMapping(tx, row, n.mapping);
      if (!sameMapping(before, mapping)) changed = true;
    } else {
      mapping = await tx.find(PixelEventMappingEntity, { where: { placementId: row.id } });
    }
    // A backfill request is published with a new version even when nothing else changed.
    if (!changed && !n.backfillDays) return row;
    touch(row);
    await this.write(tx, () => this.saveRow(tx, row), row.pixelId);
    await publish(pixelEvent(row, mapping, n.backfillDays));
    this.log.info('pixel updated', {
      accountId: row.accountId,
      placementId: row.id,
      pixelId: row.pixelId,
      version: row.version,
      tokenReplaced: n.token !== undefined,
    });
    return row;
  }

  /** AES-256-GCM with AAD = the placement id (ConfigEntityV1.pixelTokenAad). Only a masked hint is kept in clear. */
  private setToken(row: PixelEntity, token: string): void {
    const enc = this.cipher.encrypt(token, row.id);
    row.tokenKeyId = enc.key_id;
    row.tokenCiphertext = enc.ciphertext;
    row.tokenHint = tokenHint(token);
  }

  private async replaceMapping(tx: EntityManager, row: PixelEntity, mapping: MappingEntry[]): Promise<MappingEntry[]> {
    const ids = mapping.map((m) => m.conversionTypeId);
    const bad = ids.find((id) => !isUuid(id));
    if (bad !== undefined) throw notFound('Conversion type', bad);
    if (ids.length) {
      // FOR SHARE: a concurrent deleteConversionType waits for this transaction (and then sees the mapping).
      const found = await tx
        .createQueryBuilder(ConversionTypeEntity, 't')
        .select('t.id', 'id')
        .where('t.accountId = :accountId AND t.id IN (:...ids)', { accountId: row.accountId, ids })
        .setLock('pessimistic_read')
        .getRawMany<{ id: string }>();
      const have = new Set(found.map((f) => f.id));
      const missing = ids.find((id) => !have.has(id));
      if (missing) throw notFound('Conversion type', missing);
    }
    await tx.delete(PixelEventMappingEntity, { placementId: row.id });
    if (mapping.length) {
      await tx.insert(
        PixelEventMappingEntity,
        mapping.map((m) => ({
          placementId: row.id,
          conversionTypeId: m.conversionTypeId,
          accountId: row.accountId,
          snapEventName: m.snapEventName,
        })),
      );
    }
    return mapping;
  }

  private async saveRow(tx: EntityManager, row: PixelEntity): Promise<void> {
    const { id, accountId, ...fields } = row;
    await tx.update(PixelEntity, { id, accountId }, fields);
  }

  /** Database backstops for the rules checked above (unique indexes and the exclusion constraint). */
  private async write(tx: EntityManager, op: () => Promise<unknown>, pixelId: string): Promise<void> {
    try {
      await op();
    } catch (e) {
      const constraint = pgConstraint(e);
      if (pgCode(e) === '23P01' || isUniqueViolation(e, 'pixel_once_per_offer')) {
        throw userError(
          'DUPLICATE_PIXEL',
          `Pixel ${pixelId} is already configured on a traffic channel or on this offer: ${BOTH_LEVELS}`,
          { pixelId },
        );
      }
      if (isUniqueViolation(e, 'pixel_one_per_channel'))
        throw userError('CONFLICT', 'This traffic channel already has a pixel: update it instead');
      if (pgCode(e) === '23503')
        throw userError(
          'CONFLICT',
          `A referenced item was deleted meanwhile (${constraint ?? 'foreign key'}); reload and try again`,
        );
      throw e;
    }
  }

  private async lockPixelId(tx: EntityManager, accountId: string, pixelId: string): Promise<void> {
    await lockKey(tx, 'snap_pixel', `${accountId}/${pixelId}`);
  }

  private async lockChannel(tx: EntityManager, accountId: string, id: string): Promise<TrafficChannelEntity> {
    const row = isUuid(id)
      ? await tx.findOne(TrafficChannelEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Traffic channel', id);
    return row;
  }

  private async lockOffer(tx: EntityManager, accountId: string, id: string): Promise<OfferEntity> {
    const row = isUuid(id)
      ? await tx.findOne(OfferEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Offer', id);
    return row;
  }

  /** Parent first, then the pixel row (see the class comment). */
  private async lockPlacement(
    tx: EntityManager,
    accountId: string,
    id: string,
  ): Promise<{ row: PixelEntity; target: Target }> {
    const peek = isUuid(id) ? await tx.findOne(PixelEntity, { where: { id, accountId } }) : null;
    if (!peek) throw notFound('Pixel', id);
    const target: Target =
      peek.placementKind === 'channel'
        ? { kind: 'channel', channel: await this.lockChannel(tx, accountId, peek.trafficChannelId!) }
        : { kind: 'offer', offer: await this.lockOffer(tx, accountId, peek.offerId!) };
    const row = await tx.findOne(PixelEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw notFound('Pixel', id);
    return { row, target };
  }

  /**
   * The no-duplicate-pixel rule. Within an account one Snap pixel sits on traffic channels or on offers, never on
   * both (Snapchat would get each conversion twice), and at most once per offer. Runs under the advisory lock.
   */
  private async assertNoDuplicate(
    tx: EntityManager,
    accountId: string,
    pixelId: string,
    target: Target,
    exceptId: string | null,
  ): Promise<void> {
    const rows = await tx.query(
      `SELECT p.id, p.placement_kind, p.traffic_channel_id, p.offer_id, c.name AS channel_name, o.name AS offer_name
         FROM pixel p
         LEFT JOIN traffic_channel c ON c.id = p.traffic_channel_id
         LEFT JOIN offer o ON o.id = p.offer_id
        WHERE p.account_id = $1 AND p.pixel_id = $2 AND ($3::uuid IS NULL OR p.id <> $3::uuid)
        ORDER BY p.created_at, p.id`,
      [accountId, pixelId, exceptId],
    );
    type Hit = {
      id: string;
      placement_kind: PlacementKind;
      traffic_channel_id: string | null;
      offer_id: string | null;
      channel_name: string | null;
      offer_name: string | null;
    };
    const hits = rows as Hit[];
    const refuse = (message: string, hit: Hit) =>
      userError('DUPLICATE_PIXEL', message, {
        pixelId,
        configuredOn:
          hit.placement_kind === 'channel'
            ? { kind: 'CHANNEL', id: hit.traffic_channel_id, name: hit.channel_name }
            : { kind: 'OFFER', id: hit.offer_id, name: hit.offer_name },
      });
    if (target.kind === 'offer') {
      const same = hits.find((h) => h.offer_id === target.offer.id);
      if (same)
        throw refuse(
          `Pixel ${pixelId} is already configured on this offer ("${target.offer.name}"): an offer lists ` +
            `each pixel once`,
          same,
        );
      const onChannel = hits.find((h) => h.placement_kind === 'channel');
      if (onChannel)
        throw refuse(
          `Pixel ${pixelId} is already configured on traffic channel "${onChannel.channel_name}": ${BOTH_LEVELS}`,
          onChannel,
        );
    } else {
      const onOffer = hits.find((h) => h.placement_kind === 'offer');
      if (onOffer) {
        const more = hits.filter((h) => h.placement_kind === 'offer').length - 1;
        throw refuse(
          `Pixel ${pixelId} is already configured on offer ` +
            `"${onOffer.offer_name}"${more > 0 ? ` (and ${more} more)` : ''}: ${BOTH_LEVELS}`,
          onOffer,
        );
      }
    }
  }
}

function sameMapping(
  a: Pick<PixelEventMappingEntity, 'conversionTypeId' | 'snapEventName'>[],
  b: Pick<PixelEventMappingEntity, 'conversionTypeId' | 'snapEventName'>[],
): boolean {
  const key = (l: typeof a) =>
    l
      .map((m) => `${m.conversionTypeId}=${m.snapEventName}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}
