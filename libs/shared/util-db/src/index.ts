export * from './db';
export * from './retention';
export * from './retention-keys';
export * from './entity-sql-query';
export * from './prepared';
export * from './planner';
