export * from './currencies';
export * from './ids';
