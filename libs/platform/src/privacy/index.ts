export * from './field-crypto';
export * from './master-key';
