export * from './ledger';
export * from './postgres-ledger';
export * from './sql';
