import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseOptions, createDataSource } from './database';
import { ReadinessCheck } from './observability.module';

export const DATABASE_READINESS = Symbol('DATABASE_READINESS');

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}
  // after the Kafka consumer and the outbox relay stopped (they are closed before shutdown hooks run)
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/** The service's TypeORM DataSource on its own schema (migrations are run separately, by migrate.ts or `npm start`). */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(o: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DataSource, useFactory: async () => createDataSource(o).initialize() },
        {
          provide: DATABASE_READINESS,
          inject: [DataSource],
          useFactory: (ds: DataSource): ReadinessCheck => ({ name: 'database', check: async () => void (await ds.query('SELECT 1')) }),
        },
        DataSourceCloser,
      ],
      exports: [DataSource, DATABASE_READINESS],
    };
  }
}
