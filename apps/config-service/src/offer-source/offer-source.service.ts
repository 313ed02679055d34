import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { conflict, notFound } from '@snaptrack/util-federation';
import { sha256Hex } from '@snaptrack/util-pii';
import { tokenHint } from '@snaptrack/util-crypto';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import type { UnitOfWork } from '../common/transaction';
import { deletedEvent, offerSourceEvent } from '../publishing/config-entity.mapper';
import { OfferEntity } from '../offer/offer.entity';
import { OfferSourceEntity } from './offer-source.entity';
import {
  DEFAULT_PARAMS,
  additionalParameters,
  assertParamNamesDistinct,
  clickExpirationDays,
  currency,
  fixedParam,
  offerSourceName,
  phoneCountry,
  postbackToken,
  type CreateOfferSourceInput,
  type FixedParamKey,
  type UpdateOfferSourceInput,
} from './offer-source.input';

const FIXED_KEYS = Object.keys(DEFAULT_PARAMS) as FixedParamKey[];

export class OfferSourceService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(OfferSourceEntity);
  }

  list(accountId: string, first?: number | null, after?: string | null): Promise<Page<OfferSourceEntity>> {
    return paginate(this.repo.createQueryBuilder('s').where('s.accountId = :accountId', { accountId }), first, after);
  }

  async find(accountId: string, id: string): Promise<OfferSourceEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<OfferSourceEntity> {
    const s = await this.find(accountId, id);
    if (!s) throw notFound('Offer source', id);
    return s;
  }

  async create(accountId: string, input: CreateOfferSourceInput): Promise<OfferSourceEntity> {
    const name = offerSourceName(input.name);
    const fixed = {} as Record<FixedParamKey, string>;
    for (const k of FIXED_KEYS)
      fixed[k] = input[k] === undefined || input[k] === null ? DEFAULT_PARAMS[k] : fixedParam(k, input[k]!);
    const additional = additionalParameters(input.additionalParameters ?? []);
    assertParamNamesDistinct(fixed, additional);
    const token =
      input.postbackToken === undefined || input.postbackToken === null ? null : postbackToken(input.postbackToken);
    const row = newRow<OfferSourceEntity>(accountId, randomUUID(), {
      name,
      ...fixed,
      additionalParams: additional,
      postbackTokenSha256: token ? sha256Hex(token) : null,
      postbackTokenHint: token ? tokenHint(token) : null,
      clickExpirationDays:
        input.clickExpirationDays === undefined || input.clickExpirationDays === null
          ? 30
          : clickExpirationDays(input.clickExpirationDays),
      defaultCurrency:
        input.defaultCurrency === undefined || input.defaultCurrency === null ? 'USD' : currency(input.defaultCurrency),
      defaultPhoneCountry:
        input.defaultPhoneCountry === undefined || input.defaultPhoneCountry === null
          ? null
          : phoneCountry(input.defaultPhoneCountry),
    });
    return this.uow.run(async (tx, publish) => {
      await tx.insert(OfferSourceEntity, row);
      await publish(offerSourceEvent(row));
      this.log.info('offer source created', { accountId, offerSourceId: row.id, roles: additional.map((a) => a.role) });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateOfferSourceInput): Promise<OfferSourceEntity> {
    const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;
    const name = given(input.name) ? offerSourceName(input.name) : undefined;
    const fixedChanges: Partial<Record<FixedParamKey, string>> = {};
    for (const k of FIXED_KEYS) if (given(input[k])) fixedChanges[k] = fixedParam(k, input[k]!);
    const additional = given(input.additionalParameters) ? additionalParameters(input.additionalParameters) : undefined;
    const token = given(input.postbackToken) ? postbackToken(input.postbackToken) : undefined;
    const days = given(input.clickExpirationDays) ? clickExpirationDays(input.clickExpirationDays) : undefined;
    const cur = given(input.defaultCurrency) ? currency(input.defaultCurrency) : undefined;
    const phone =
      input.defaultPhoneCountry === undefined
        ? undefined
        : input.defaultPhoneCountry === null
          ? null
          : phoneCountry(input.defaultPhoneCountry);
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const before = JSON.stringify(row);
      if (name !== undefined) row.name = name;
      Object.assign(row, fixedChanges);
      if (additional !== undefined) row.additionalParams = additional;
      assertParamNamesDistinct(
        {
          clickIdParam: row.clickIdParam,
          payoutParam: row.payoutParam,
          typeParam: row.typeParam,
          eventIdParam: row.eventIdParam,
          currencyParam: row.currencyParam,
        },
        row.additionalParams,
      );
      if (token !== undefined) {
        row.postbackTokenSha256 = sha256Hex(token);
        row.postbackTokenHint = tokenHint(token);
      } else if (input.clearPostbackToken === true) {
        row.postbackTokenSha256 = null;
        row.postbackTokenHint = null;
      }
      if (days !== undefined) row.clickExpirationDays = days;
      if (cur !== undefined) row.defaultCurrency = cur;
      if (phone !== undefined) row.defaultPhoneCountry = phone;
      if (JSON.stringify(row) === before) return row;
      touch(row);
      const { id: rowId, accountId: acc, ...fields } = row;
      await tx.update(OfferSourceEntity, { id: rowId, accountId: acc }, fields);
      await publish(offerSourceEvent(row));
      return row;
    });
  }

  async delete(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const offers = await tx.count(OfferEntity, { where: { accountId, offerSourceId: row.id } });
      if (offers)
        throw conflict(
          `Offer source "${row.name}" is used by ${offers} offer${offers === 1 ? '' : 's'}: delete them or move them to another source first`,
        );
      await tx.delete(OfferSourceEntity, { id: row.id, accountId });
      await publish(deletedEvent('offer_source', row));
      this.log.info('offer source deleted', { accountId, offerSourceId: row.id });
      return row.id;
    });
  }

  /** Row lock: a concurrent createOffer on this source (which holds it FOR SHARE) and this delete cannot interleave. */
  private async lockRow(tx: EntityManager, accountId: string, id: string): Promise<OfferSourceEntity> {
    const row = isUuid(id)
      ? await tx.findOne(OfferSourceEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Offer source', id);
    return row;
  }
}
