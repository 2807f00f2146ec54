import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

/**
 * Every HTTP route a running Nest app serves, as `METHOD /path` (controller path + handler path, `:params` kept), from
 * the same decorator metadata Nest routes by. Kafka handlers (no HTTP method) are left out. For role matrix tests:
 * a route the table does not list fails them.
 */
export function registeredRoutes(app: INestApplication): string[] {
  const routes = new Set<string>();
  const controllers = [...app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of controllers) {
    const type = wrapper.metatype as (new (...a: unknown[]) => unknown) | undefined;
    if (!type?.prototype) continue;
    const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    for (const key of Object.getOwnPropertyNames(type.prototype)) {
      const handler: unknown = Object.getOwnPropertyDescriptor(type.prototype, key)?.value; // never run a getter
      if (key === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (method === undefined || paths === undefined) continue;
      for (const b of base) {
        for (const p of ([] as string[]).concat(paths)) {
          const full = `/${[b, p].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
          routes.add(`${RequestMethod[method]} ${full}`);
        }
      }
    }
  }
  return [...routes].sort();
}
