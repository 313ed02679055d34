export * from './claim';
export * from './scheduler';
export * from './ledger-hooks';
