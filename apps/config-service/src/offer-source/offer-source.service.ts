import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound, type PageArgs } from '@snaptrack/util-federation';
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
  overlapHours,
  phoneCountry,
  postbackToken,
  type CreateOfferSourceInput,
  type FixedParamKey,
  type UpdateOfferSourceInput,
} from './offer-source.input';

const FIXED_KEYS = Object.keys(DEFAULT_PARAMS) as FixedParamKey[];

/** A random postback secret: 192 bits, url-safe (base64url), with a recognisable prefix. */
export function newPostbackSecret(): string {
  return `pbs_${randomBytes(24).toString('base64url')}`;
}

/** An offer source with the secret in clear: only the answer of create and rotate carries it, once. */
export interface WithSecret {
  row: OfferSourceEntity;
  secret: string | null;
}

export interface OfferSourceServiceOptions {
  /** Default overlap of rotatePostbackSecret (POSTBACK_SECRET_OVERLAP_HOURS). */
  secretOverlapHours: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

export class OfferSourceService {
  private readonly now: () => Date;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
    private readonly opts: OfferSourceServiceOptions = { secretOverlapHours: 24 },
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  private get repo() {
    return this.uow.dataSource.getRepository(OfferSourceEntity);
  }

  list(accountId: string, page: PageArgs): Promise<Page<OfferSourceEntity>> {
    return paginate(this.repo.createQueryBuilder('s').where('s.accountId = :accountId', { accountId }), page);
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

  async create(accountId: string, input: CreateOfferSourceInput): Promise<WithSecret> {
    const name = offerSourceName(input.name);
    const fixed = {} as Record<FixedParamKey, string>;
    for (const k of FIXED_KEYS)
      fixed[k] = input[k] === undefined || input[k] === null ? DEFAULT_PARAMS[k] : fixedParam(k, input[k]!);
    const additional = additionalParameters(input.additionalParameters ?? []);
    assertParamNamesDistinct(fixed, additional);
    // Every new offer source gets a secret (one of the caller's own only through the deprecated postbackToken).
    const token =
      input.postbackToken === undefined || input.postbackToken === null
        ? newPostbackSecret()
        : postbackToken(input.postbackToken);
    const row = newRow<OfferSourceEntity>(accountId, randomUUID(), {
      name,
      ...fixed,
      additionalParams: additional,
      postbackTokenSha256: sha256Hex(token),
      postbackTokenHint: tokenHint(token),
      previousPostbackTokenSha256: null,
      previousPostbackTokenExpiresAt: null,
      acceptUnsignedPostbacks: input.acceptUnsignedPostbacks === true,
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
      this.log.info('offer source created', {
        accountId,
        offerSourceId: row.id,
        roles: additional.map((a) => a.role),
        acceptUnsignedPostbacks: row.acceptUnsignedPostbacks,
      });
      return { row, secret: token };
    });
  }

  /**
   * A new random secret. The one it replaces stays accepted for `hours` (default POSTBACK_SECRET_OVERLAP_HOURS; 0:
   * refused at once), so the network's URL can be updated without losing postbacks. A secret replaced earlier is
   * forgotten. The open/closed setting does not change.
   */
  async rotateSecret(accountId: string, id: string, hours?: number | null): Promise<WithSecret> {
    const overlap = hours === undefined || hours === null ? this.opts.secretOverlapHours : overlapHours(hours);
    const secret = newPostbackSecret();
    return this.uow.run(async (tx, publish) => {
      const row = await this.lockRow(tx, accountId, id);
      const keepPrevious = row.postbackTokenSha256 !== null && overlap > 0;
      row.previousPostbackTokenSha256 = keepPrevious ? row.postbackTokenSha256 : null;
      row.previousPostbackTokenExpiresAt = keepPrevious ? new Date(this.now().getTime() + overlap * 3600 * 1000) : null;
      row.postbackTokenSha256 = sha256Hex(secret);
      row.postbackTokenHint = tokenHint(secret);
      touch(row);
      const { id: rowId, accountId: acc, ...fields } = row;
      await tx.update(OfferSourceEntity, { id: rowId, accountId: acc }, fields);
      await publish(offerSourceEvent(row));
      this.log.info('offer source postback secret rotated', {
        accountId,
        offerSourceId: row.id,
        overlapHours: overlap,
      });
      return { row, secret };
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
        row.previousPostbackTokenSha256 = null;
        row.previousPostbackTokenExpiresAt = null;
      } else if (input.clearPostbackToken === true) {
        row.postbackTokenSha256 = null;
        row.postbackTokenHint = null;
        row.previousPostbackTokenSha256 = null;
        row.previousPostbackTokenExpiresAt = null;
        row.acceptUnsignedPostbacks = true;
      }
      if (input.acceptUnsignedPostbacks === true || input.acceptUnsignedPostbacks === false)
        row.acceptUnsignedPostbacks = input.acceptUnsignedPostbacks;
      if (!row.acceptUnsignedPostbacks && row.postbackTokenSha256 === null)
        throw badInput(
          'This offer source has no postback secret: call rotatePostbackSecret first, then require it',
          'acceptUnsignedPostbacks',
        );
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
          `Offer source "${row.name}" is used by ${offers} offer${offers === 1 ? '' : 's'}: delete them or ` +
            `move them to another source first`,
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
