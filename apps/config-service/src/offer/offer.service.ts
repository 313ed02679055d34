import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { conflict, notFound } from '@snaptrack/util-federation';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import type { UnitOfWork } from '../common/transaction';
import { deletedEvent, offerEvent } from '../publishing/config-entity.mapper';
import { OfferSourceEntity } from '../offer-source/offer-source.entity';
import { PixelEntity } from '../pixel/pixel.entity';
import { OfferEntity } from './offer.entity';
import { offerName, offerUrl, type CreateOfferInput, type UpdateOfferInput } from './offer.input';

export class OfferService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(OfferEntity);
  }

  list(
    accountId: string,
    first?: number | null,
    after?: string | null,
    offerSourceId?: string | null,
  ): Promise<Page<OfferEntity>> {
    const qb = this.repo.createQueryBuilder('o').where('o.accountId = :accountId', { accountId });
    if (offerSourceId !== undefined && offerSourceId !== null) {
      if (!isUuid(offerSourceId)) throw notFound('Offer source', offerSourceId);
      qb.andWhere('o.offerSourceId = :offerSourceId', { offerSourceId });
    }
    return paginate(qb, first, after);
  }

  async find(accountId: string, id: string): Promise<OfferEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<OfferEntity> {
    const o = await this.find(accountId, id);
    if (!o) throw notFound('Offer', id);
    return o;
  }

  async create(accountId: string, input: CreateOfferInput): Promise<OfferEntity> {
    const name = offerName(input.name);
    const url = offerUrl(input.url);
    return this.uow.run(async (tx, publish) => {
      const source = await this.shareSource(tx, accountId, input.offerSourceId);
      const row = newRow<OfferEntity>(accountId, randomUUID(), { name, url, offerSourceId: source.id });
      await tx.insert(OfferEntity, row);
      await publish(offerEvent(row));
      this.log.info('offer created', { accountId, offerId: row.id, offerSourceId: source.id });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateOfferInput): Promise<OfferEntity> {
    const name = input.name === undefined || input.name === null ? undefined : offerName(input.name);
    const url = input.url === undefined || input.url === null ? undefined : offerUrl(input.url);
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const before = JSON.stringify([row.name, row.url, row.offerSourceId]);
      if (input.offerSourceId !== undefined && input.offerSourceId !== null)
        row.offerSourceId = (await this.shareSource(tx, accountId, input.offerSourceId)).id;
      if (name !== undefined) row.name = name;
      if (url !== undefined) row.url = url;
      if (JSON.stringify([row.name, row.url, row.offerSourceId]) === before) return row;
      touch(row);
      const { id: rowId, accountId: acc, ...fields } = row;
      await tx.update(OfferEntity, { id: rowId, accountId: acc }, fields);
      await publish(offerEvent(row));
      return row;
    });
  }

  async delete(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const pixels = await tx.count(PixelEntity, { where: { accountId, offerId: row.id } });
      if (pixels)
        throw conflict(
          `Offer "${row.name}" still has ${pixels} pixel${pixels === 1 ? '' : 's'}: remove ${pixels === 1 ? 'it' : 'them'} first`,
        );
      await tx.delete(OfferEntity, { id: row.id, accountId });
      await publish(deletedEvent('offer', row));
      this.log.info('offer deleted', { accountId, offerId: row.id });
      return row.id;
    });
  }

  private async lockRow(tx: EntityManager, accountId: string, id: string): Promise<OfferEntity> {
    const row = isUuid(id)
      ? await tx.findOne(OfferEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Offer', id);
    return row;
  }

  /** FOR SHARE on the source: a concurrent deleteOfferSource waits and then sees this offer. */
  private async shareSource(tx: EntityManager, accountId: string, id: string): Promise<OfferSourceEntity> {
    const row = isUuid(id)
      ? await tx.findOne(OfferSourceEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_read' } })
      : null;
    if (!row) throw notFound('Offer source', id);
    return row;
  }
}
