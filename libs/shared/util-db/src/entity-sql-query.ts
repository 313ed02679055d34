import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Column types whose value node-postgres already returns as TypeORM would hydrate it (a string, number, boolean,
 * Date or parsed JSON), so a row can be copied onto the entity as it is.
 */
const PLAIN_TYPES = new Set([
  'uuid',
  'text',
  'varchar',
  'character varying',
  'int',
  'integer',
  'int4',
  'smallint',
  'int2',
  'boolean',
  'bool',
  'jsonb',
  'json',
  'timestamptz',
  'timestamp with time zone',
]);

interface EntityShape<T> {
  table: string;
  alias: string;
  /** `alias.column AS "property"` for every column. */
  columns: string;
  properties: string[];
  create: () => T;
  run: (sql: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;
}

interface QueryState {
  where: string[];
  params: Record<string, unknown>;
  /** A selection that replaces the entity's columns (`select('1')`), else null. */
  select: string | null;
  extra: string[];
  order: string[];
  limit: number | null;
}

/**
 * The list queries of util-federation's `paginateKeyset` (its `KeysetQuery`) over one entity's table, written as plain
 * SQL: the column list is made once from the entity's metadata, and each call only joins strings. TypeORM's query
 * builder rebuilt and re-escaped the whole statement on every call, which cost a list query more CPU than the rest of
 * the subgraph (bench profile of the campaigns list). Conditions and orders are SQL on `alias`, with `:name`
 * parameters as in TypeORM (a name not among the parameters is left as it is, so `HH24:MI` in a format stays).
 *
 * Only for entities whose every column is one of PLAIN_TYPES without a transformer; {@link EntitySqlQuery.for}
 * throws otherwise, so a new column type cannot be hydrated differently from TypeORM without anyone noticing.
 */
export class EntitySqlQuery<T extends ObjectLiteral> {
  private constructor(
    private readonly shape: EntityShape<T>,
    private readonly s: QueryState,
  ) {}

  static for<T extends ObjectLiteral>(ds: DataSource, target: EntityTarget<T>, alias: string): EntitySqlQuery<T> {
    const meta = ds.getMetadata(target);
    const columns = meta.columns.map((c) => {
      const type = typeof c.type === 'string' ? c.type : null;
      if (!type || !PLAIN_TYPES.has(type) || c.transformer || c.embeddedMetadata || c.relationMetadata)
        throw new Error(`EntitySqlQuery: ${meta.name}.${c.propertyName} (${String(c.type)}) is not a plain column`);
      return { column: c.databaseName, property: c.propertyName };
    });
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const shape: EntityShape<T> = {
      table: meta.tablePath.split('.').map(quote).join('.'),
      alias,
      columns: columns.map((c) => `${alias}.${quote(c.column)} AS ${quote(c.property)}`).join(', '),
      properties: columns.map((c) => c.property),
      create: () => meta.create() as T,
      run: (sql, values) => ds.query(sql, values),
    };
    return new EntitySqlQuery(shape, { where: [], params: {}, select: null, extra: [], order: [], limit: null });
  }

  clone(): EntitySqlQuery<T> {
    const s = this.s;
    return new EntitySqlQuery(this.shape, {
      ...s,
      where: [...s.where],
      params: { ...s.params },
      extra: [...s.extra],
      order: [...s.order],
    });
  }

  andWhere(where: string, parameters: Record<string, unknown> = {}): this {
    this.s.where.push(`(${where})`);
    Object.assign(this.s.params, parameters);
    return this;
  }

  orderBy(sort: string, order: 'ASC' | 'DESC'): this {
    this.s.order = [`${sort} ${order}`];
    return this;
  }

  addOrderBy(sort: string, order: 'ASC' | 'DESC'): this {
    this.s.order.push(`${sort} ${order}`);
    return this;
  }

  select(selection: string): this {
    this.s.select = selection;
    return this;
  }

  addSelect(selection: string, alias: string): this {
    this.s.extra.push(`${selection} AS "${alias.replace(/"/g, '""')}"`);
    return this;
  }

  limit(limit: number): this {
    this.s.limit = limit;
    return this;
  }

  async getRawAndEntities(): Promise<{ entities: T[]; raw: Array<Record<string, unknown>> }> {
    const raw = await this.rows(this.selection());
    const entities = raw.map((row) => {
      const entity = this.shape.create();
      for (const p of this.shape.properties) (entity as Record<string, unknown>)[p] = row[p];
      return entity;
    });
    return { entities, raw };
  }

  async getMany(): Promise<T[]> {
    return (await this.getRawAndEntities()).entities;
  }

  async getRawOne(): Promise<unknown> {
    return (await this.rows(this.selection()))[0];
  }

  async getCount(): Promise<number> {
    const [row] = await this.rows('count(*)::int AS n', { ordered: false });
    return Number(row?.n ?? 0);
  }

  /** The statement with `:name` parameters numbered ($1, $2, …) in order of appearance (for tests and logs). */
  toSql(): { sql: string; values: unknown[] } {
    return this.statement(this.selection(), { ordered: true });
  }

  private selection(): string {
    return [this.s.select ?? this.shape.columns, ...this.s.extra].join(', ');
  }

  private rows(selection: string, opts = { ordered: true }): Promise<Array<Record<string, unknown>>> {
    const { sql, values } = this.statement(selection, opts);
    return this.shape.run(sql, values);
  }

  private statement(selection: string, { ordered }: { ordered: boolean }): { sql: string; values: unknown[] } {
    let sql = `SELECT ${selection} FROM ${this.shape.table} ${this.shape.alias}`;
    if (this.s.where.length) sql += ` WHERE ${this.s.where.join(' AND ')}`;
    if (ordered && this.s.order.length) sql += ` ORDER BY ${this.s.order.join(', ')}`;
    if (ordered && this.s.limit !== null) sql += ` LIMIT ${Math.trunc(this.s.limit)}`;
    const values: unknown[] = [];
    const index = new Map<string, number>();
    const text = sql.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (whole, name: string) => {
      if (!Object.prototype.hasOwnProperty.call(this.s.params, name)) return whole;
      let n = index.get(name);
      if (n === undefined) {
        values.push(this.s.params[name]);
        n = values.length;
        index.set(name, n);
      }
      return `$${n}`;
    });
    return { sql: text, values };
  }
}
