export * from './syntax';
export * from './render';
export * from './sms-segments';
