export * from './currencies';
export * from './ids';
export * from './url-template';
