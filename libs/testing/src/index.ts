export * from './stubs/slack-stub';
export * from './stubs/twilio-stub';
export * from './stubs/survey-api-stub';
export * from './harness';
export * from './kafka-admin';
export * from './quiescence';
export * from './stubs/smtp-stub';
export * from './routes';
