import { AddressInfo } from 'node:net';
import { BeforeApplicationShutdown, Body, Controller, Get, INestApplication, Injectable, Module, OnApplicationShutdown, OnModuleDestroy, Post } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { ObservabilityModule, bootstrapService } from '../src';

/** What happened during shutdown, in order. */
const events: string[] = [];

/** A consumer that is in the middle of a message when close() is called, and finishes it first. */
class SlowConsumer extends Server implements CustomTransportStrategy {
  private inFlight?: Promise<void>;
  listen(callback: () => void): void {
    this.inFlight = new Promise((r) => setTimeout(r, 200)).then(() => void events.push('consumer finished its message'));
    callback();
  }
  async close(): Promise<void> {
    await this.inFlight;
    if (!events.includes('consumer stopped')) events.push('consumer stopped');
  }
  on(): void {}
  unwrap<T>(): T {
    return undefined as T;
  }
}

/** Stands for what consumers use: the producer, the outbox relay, a worker, the database. */
@Injectable()
class Dependencies implements OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  onModuleDestroy() {
    events.push('onModuleDestroy (e.g. a scheduler)');
  }
  beforeApplicationShutdown() {
    events.push('beforeApplicationShutdown (e.g. the delivery worker)');
  }
  onApplicationShutdown() {
    events.push('onApplicationShutdown (the database)');
  }
}

@Controller('t')
class TestController {
  @Get('boom')
  boom() {
    throw new Error('internal detail that must not leave');
  }
  @Post('echo')
  echo(@Body() body: unknown) {
    return { ok: typeof body };
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ service: 'platform-test', logLevel: 'silent' })], controllers: [TestController], providers: [Dependencies] })
class TestModule {}

describe('bootstrapService', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await bootstrapService({
      service: 'platform-test',
      module: () => TestModule,
      http: { port: 0, host: '127.0.0.1' },
      configure: (a) => void a.connectMicroservice({ strategy: new SlowConsumer() }, { inheritAppConfig: false }),
    });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  it('sends helmet security headers on every answer', async () => {
    for (const path of ['/health/live', '/t/boom', '/nowhere']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('answers errors as problem+json without internals', async () => {
    const boom = await fetch(`${base}/t/boom`);
    expect([boom.status, boom.headers.get('content-type')]).toEqual([500, expect.stringContaining('application/problem+json')]);
    expect(await boom.text()).not.toContain('internal detail');
    const missing = await fetch(`${base}/nowhere`);
    expect([missing.status, ((await missing.json()) as { status: number }).status]).toEqual([404, 404]);
  });

  it('refuses a body nested 100 000 levels with a 400 naming the field', async () => {
    const res = await fetch(`${base}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"a":${'['.repeat(40_000)}${']'.repeat(40_000)}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([{ field: expect.stringMatching(/^a\[0\]/), message: 'is nested deeper than 32 levels' }]);
  });

  it('on close, stops the consumers (finishing the message in flight) before anything they use', async () => {
    await app.close();
    expect(events).toEqual([
      'consumer finished its message',
      'consumer stopped',
      'onModuleDestroy (e.g. a scheduler)',
      'beforeApplicationShutdown (e.g. the delivery worker)',
      'onApplicationShutdown (the database)',
    ]);
  });
});
