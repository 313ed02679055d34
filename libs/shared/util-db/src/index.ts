export * from './db';
export * from './retention';
