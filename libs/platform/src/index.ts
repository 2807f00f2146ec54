export * from './config';
export * from './logger';
export * from './database';
export * from './observability.module';
export * from './bootstrap';
export * from './database.module';
export * from './metrics';
export * from './migration-cli';
