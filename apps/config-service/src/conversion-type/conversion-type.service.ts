import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict, notFound, type PageArgs } from '@snaptrack/util-federation';
import { isUniqueViolation } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';
import { newRow, touch } from '../common/entity-base';
import { isUuid } from '../common/ids';
import { paginate, type Page } from '../common/pagination';
import { lockKey, type Publish, type UnitOfWork } from '../common/transaction';
import { conversionTypeEvent, deletedEvent } from '../publishing/config-entity.mapper';
import { PixelEntity, PixelEventMappingEntity } from '../pixel/pixel.entity';
import { ConversionTypeEntity } from './conversion-type.entity';
import {
  MAX_CONVERSION_TYPES,
  conversionTypeName,
  type CreateConversionTypeInput,
  type UpdateConversionTypeInput,
} from './conversion-type.input';
import { ConversionDuplicatePolicy } from './conversion-type.type';

export class ConversionTypeService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(ConversionTypeEntity);
  }

  list(accountId: string, page: PageArgs): Promise<Page<ConversionTypeEntity>> {
    return paginate(this.repo.createQueryBuilder('t').where('t.accountId = :accountId', { accountId }), page);
  }

  async find(accountId: string, id: string): Promise<ConversionTypeEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId } });
  }

  async get(accountId: string, id: string): Promise<ConversionTypeEntity> {
    const t = await this.find(accountId, id);
    if (!t) throw notFound('Conversion type', id);
    return t;
  }

  async create(accountId: string, input: CreateConversionTypeInput): Promise<ConversionTypeEntity> {
    const name = conversionTypeName(input.name);
    return this.uow.run(async (tx, publish) => {
      // Serialises this account's conversion-type changes: the 40-type cap and the single default hold under
      // concurrency.
      await lockKey(tx, 'conversion_type', accountId);
      const count = await tx.count(ConversionTypeEntity, { where: { accountId } });
      if (count >= MAX_CONVERSION_TYPES) {
        throw badInput(
          `An account can have at most ${MAX_CONVERSION_TYPES} conversion types; delete one you no longer use first`,
          'name',
        );
      }
      await this.assertNameFree(tx, accountId, name, null);
      const row = newRow<ConversionTypeEntity>(accountId, randomUUID(), {
        name,
        duplicatePolicy: input.duplicatePolicy ?? ConversionDuplicatePolicy.CREATE,
        isDefault: input.isDefault === true,
      });
      if (row.isDefault) await this.clearDefault(tx, publish, accountId, null);
      await this.insert(tx, row);
      await publish(conversionTypeEvent(row));
      this.log.info('conversion type created', { accountId, conversionTypeId: row.id });
      return row;
    });
  }

  async update(accountId: string, id: string, input: UpdateConversionTypeInput): Promise<ConversionTypeEntity> {
    const name = input.name === undefined || input.name === null ? null : conversionTypeName(input.name);
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'conversion_type', accountId);
      const row = await this.lockRow(tx, accountId, id);
      let changed = false;
      if (name !== null && name !== row.name) {
        await this.assertNameFree(tx, accountId, name, row.id);
        row.name = name;
        changed = true;
      }
      if (input.duplicatePolicy && input.duplicatePolicy !== row.duplicatePolicy) {
        row.duplicatePolicy = input.duplicatePolicy;
        changed = true;
      }
      if (typeof input.isDefault === 'boolean' && input.isDefault !== row.isDefault) {
        if (input.isDefault) await this.clearDefault(tx, publish, accountId, row.id);
        row.isDefault = input.isDefault;
        changed = true;
      }
      if (!changed) return row;
      touch(row);
      await this.save(tx, row);
      await publish(conversionTypeEvent(row));
      return row;
    });
  }

  async delete(accountId: string, id: string): Promise<string> {
    return this.uow.run(async (tx, publish) => {
      await lockKey(tx, 'conversion_type', accountId);
      const row = await this.lockRow(tx, accountId, id);
      if (row.isDefault)
        throw conflict(`Conversion type "${row.name}" is the default type: make another type the default first`);
      const mapped = await tx
        .createQueryBuilder(PixelEventMappingEntity, 'm')
        .innerJoin(PixelEntity, 'p', 'p.id = m.placementId')
        .select('p.pixelId', 'pixelId')
        .where('m.conversionTypeId = :id', { id: row.id })
        .getRawMany<{ pixelId: string }>();
      if (mapped.length) {
        const pixels = [...new Set(mapped.map((m) => m.pixelId))];
        throw conflict(
          `Conversion type "${row.name}" is mapped to a Snapchat event on ` +
            `${pixels.length === 1 ? `pixel ${pixels[0]}` : `${pixels.length} pixels`}: remove it from the ` +
            `event mapping first`,
        );
      }
      await tx.delete(ConversionTypeEntity, { id: row.id, accountId });
      await publish(deletedEvent('conversion_type', row));
      this.log.info('conversion type deleted', { accountId, conversionTypeId: row.id });
      return row.id;
    });
  }

  private async lockRow(tx: EntityManager, accountId: string, id: string): Promise<ConversionTypeEntity> {
    const row = isUuid(id)
      ? await tx.findOne(ConversionTypeEntity, { where: { id, accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!row) throw notFound('Conversion type', id);
    return row;
  }

  private async assertNameFree(
    tx: EntityManager,
    accountId: string,
    name: string,
    exceptId: string | null,
  ): Promise<void> {
    const other = await tx.findOne(ConversionTypeEntity, { where: { accountId, name } });
    if (other && other.id !== exceptId)
      throw conflict(`A conversion type named "${name}" already exists (names are case-sensitive)`);
  }

  private async clearDefault(
    tx: EntityManager,
    publish: Publish,
    accountId: string,
    exceptId: string | null,
  ): Promise<void> {
    const current = await tx.findOne(ConversionTypeEntity, {
      where: { accountId, isDefault: true },
      lock: { mode: 'pessimistic_write' },
    });
    if (!current || current.id === exceptId) return;
    current.isDefault = false;
    touch(current);
    await this.save(tx, current);
    await publish(conversionTypeEvent(current));
  }

  private async insert(tx: EntityManager, row: ConversionTypeEntity): Promise<void> {
    try {
      await tx.insert(ConversionTypeEntity, row);
    } catch (e) {
      if (isUniqueViolation(e, 'conversion_type_account_name'))
        throw conflict(`A conversion type named "${row.name}" already exists (names are case-sensitive)`);
      throw e;
    }
  }

  private async save(tx: EntityManager, row: ConversionTypeEntity): Promise<void> {
    const { id, accountId, ...fields } = row;
    try {
      await tx.update(ConversionTypeEntity, { id, accountId }, fields);
    } catch (e) {
      if (isUniqueViolation(e, 'conversion_type_account_name'))
        throw conflict(`A conversion type named "${row.name}" already exists (names are case-sensitive)`);
      throw e;
    }
  }
}
