import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound, type PageArgs } from '@snaptrack/util-federation';
import { tokenHint } from '@snaptrack/util-crypto';
import { sha256Hex } from '@snaptrack/util-pii';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import type { UnitOfWork } from '../common/transaction';
import { deletedEvent, offerEvent } from '../publishing/config-entity.mapper';
import { OfferSourceEntity } from '../offer-source/offer-source.entity';
import { PixelEntity } from '../pixel/pixel.entity';
import { OfferEntity } from './offer.entity';
import {
  allowedOrigins,
  offerName,
  offerUrl,
  websiteDomain,
  type CreateOfferInput,
  type UpdateOfferInput,
} from './offer.input';

/** A website's server-to-server conversion secret: `wss_` + 24 random bytes (192 bits), base64url. */
export function newWebsiteSecret(): string {
  return `wss_${randomBytes(24).toString('base64url')}`;
}

export class OfferService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(OfferEntity);
  }

  list(accountId: string, page: PageArgs, offerSourceId?: string | null): Promise<Page<OfferEntity>> {
    const qb = this.repo.createQueryBuilder('o').where('o.accountId = :accountId', { accountId });
    if (offerSourceId !== undefined && offerSourceId !== null) {
      if (!isUuid(offerSourceId)) throw notFound('Offer source', offerSourceId);
      qb.andWhere('o.offerSourceId = :offerSourceId', { offerSourceId });
    }
    return paginate(qb, page);
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

  /** A website comes back with its conversion secret, in clear this once (`secret`, else null). */
  async create(accountId: string, input: CreateOfferInput): Promise<{ row: OfferEntity; secret: string | null }> {
    const kind = input.kind === 'WEBSITE' ? 'WEBSITE' : 'OFFER';
    const name = offerName(input.name);
    const url = offerUrl(input.url, kind);
    if (kind === 'OFFER' && input.allowedOrigins?.length)
      throw badInput('Only a website (kind: WEBSITE) has allowed origins', 'allowedOrigins');
    const secret = kind === 'WEBSITE' ? newWebsiteSecret() : null;
    const website = secret
      ? {
          domain: websiteDomain(url),
          allowedOrigins: allowedOrigins(input.allowedOrigins, url),
          conversionSecretSha256: sha256Hex(secret),
          conversionSecretHint: tokenHint(secret),
        }
      : { domain: null, allowedOrigins: [], conversionSecretSha256: null, conversionSecretHint: null };
    return this.uow.run(async (tx, publish) => {
      const source = await this.shareSource(tx, accountId, input.offerSourceId);
      const row = newRow<OfferEntity>(accountId, randomUUID(), {
        name,
        url,
        offerSourceId: source.id,
        kind,
        ...website,
      });
      await tx.insert(OfferEntity, row);
      await publish(offerEvent(row));
      this.log.info('offer created', { accountId, offerId: row.id, offerSourceId: source.id, kind });
      return { row, secret };
    });
  }

  /** A new conversion secret for a website, returned once; the previous one is refused at once. */
  async rotateWebsiteSecret(accountId: string, id: string): Promise<{ row: OfferEntity; secret: string }> {
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      if (row.kind !== 'WEBSITE') throw badInput('Only a website (kind: WEBSITE) has a conversion secret', 'offerId');
      const secret = newWebsiteSecret();
      row.conversionSecretSha256 = sha256Hex(secret);
      row.conversionSecretHint = tokenHint(secret);
      touch(row);
      const { id: rowId, accountId: acc, ...fields } = row;
      await tx.update(OfferEntity, { id: rowId, accountId: acc }, fields);
      await publish(offerEvent(row));
      this.log.info('website secret rotated', { accountId, offerId: row.id });
      return { row, secret };
    });
  }

  async update(accountId: string, id: string, input: UpdateOfferInput): Promise<OfferEntity> {
    const name = input.name === undefined || input.name === null ? undefined : offerName(input.name);
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const url = input.url === undefined || input.url === null ? undefined : offerUrl(input.url, row.kind);
      const snapshot = () => JSON.stringify([row.name, row.url, row.offerSourceId, row.domain, row.allowedOrigins]);
      const before = snapshot();
      if (input.offerSourceId !== undefined && input.offerSourceId !== null)
        row.offerSourceId = (await this.shareSource(tx, accountId, input.offerSourceId)).id;
      if (name !== undefined) row.name = name;
      if (url !== undefined) row.url = url;
      if (row.kind === 'WEBSITE') {
        row.domain = websiteDomain(row.url);
        // Origins are re-checked against the (possibly new) domain; a new URL without new origins keeps its own origin.
        const origins =
          input.allowedOrigins ?? (url !== undefined && url !== null ? [new URL(row.url).origin] : row.allowedOrigins);
        row.allowedOrigins = allowedOrigins(origins, row.url);
      } else if (input.allowedOrigins?.length) {
        throw badInput('Only a website (kind: WEBSITE) has allowed origins', 'allowedOrigins');
      }
      if (snapshot() === before) return row;
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
          `Offer "${row.name}" still has ${pixels} pixel${pixels === 1 ? '' : 's'}: remove ` +
            `${pixels === 1 ? 'it' : 'them'} first`,
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
