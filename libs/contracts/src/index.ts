export * from './topics';
export * from './scales';
export * from './validation';
export * from './envelope';
export * from './events/feedback';
export * from './events/ticket';
export * from './events/notification';
export * from './routing';
