export * from './config';
export * from './key-fragments';
