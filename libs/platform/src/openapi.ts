import type { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROBLEM_CONTENT_TYPE } from './problem';

/**
 * The OpenAPI document of a service's HTTP API, one way for every service (ingest SPEC §4, tickets SPEC §12): Nest's
 * swagger module reads the routes and their @Api… decorators; the schemas are hand-written per service (contracts
 * cannot carry Nest decorators) and merged in. Swagger UI at `/docs`, the document at `/docs-json`.
 */
export interface OpenApiOptions {
  title: string;
  description: string;
  /** Bearer schemes by name (the name @ApiBearerAuth(name) refers to). */
  bearers: Record<string, string>;
  schemas: Record<string, SchemaObject>;
  /** Only these modules' controllers (default: every route the app registers). */
  include?: Type<unknown>[];
}

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The RFC 9457 problem every error answers (schema `Problem` of the service's schemas). */
export function problemResponse(description: string, headers?: Record<string, { description: string; schema: SchemaObject }>) {
  return { description, headers, content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } } };
}

/** `FieldError` and `Problem`, the same in every service. */
export const PROBLEM_SCHEMAS = {
  FieldError: {
    type: 'object', required: ['field', 'message'],
    properties: { field: { type: 'string', example: 'customer.id' }, message: { type: 'string', example: 'is required' } },
  },
  Problem: {
    type: 'object', required: ['type', 'title', 'status', 'detail'], description: 'RFC 9457 problem details',
    properties: {
      type: { type: 'string', example: 'urn:closeloop:problem:validation' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: { type: 'array', items: schemaRef('FieldError'), description: 'Every bad field (400 and 422)' },
    },
  },
} satisfies Record<string, SchemaObject>;

export function buildOpenApiDocument(app: INestApplication, o: OpenApiOptions): OpenAPIObject {
  let builder = new DocumentBuilder().setTitle(o.title).setDescription(o.description).setVersion('1');
  for (const [name, description] of Object.entries(o.bearers)) builder = builder.addBearerAuth({ type: 'http', scheme: 'bearer', description }, name);
  const doc = SwaggerModule.createDocument(app, builder.build(), o.include ? { include: o.include } : {});
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...o.schemas } };
  return doc;
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupOpenApiDocs(app: INestApplication, o: OpenApiOptions): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, o), { customSiteTitle: o.title });
}
