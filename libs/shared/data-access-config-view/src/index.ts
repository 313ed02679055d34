export * from './config-view.types';
export * from './apply';
export * from './memory-store';
export * from './postgres-store';
export * from './create-config-view.migration';
export * from './config-view.consumer';
