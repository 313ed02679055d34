export * from './value';
export * from './key';
