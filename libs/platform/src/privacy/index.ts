export * from './field-crypto';
export * from './master-key';
export * from './event-fields';
export * from './key-store';
export * from './privacy.module';
export * from './rotate-cli';
