export * from './claim';
export * from './scheduler';
