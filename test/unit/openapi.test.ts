import { describe, expect, test } from 'vitest';
import { buildOpenApiDocument } from '#shared/http/openapi';
import { routes, type RouteDefinition } from '#shared/model/routes';

const doc = buildOpenApiDocument();
const all = routes as readonly RouteDefinition[];
type Operation = {
  operationId: string;
  security?: unknown[];
  'x-allowed-roles'?: string[];
  parameters: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};

const operation = (path: string, method: string) => (doc.paths[path] as Record<string, Operation> | undefined)?.[method];
const component = (ref: string) => {
  expect(ref).toMatch(/^#\/components\/schemas\//);
  return (doc.components.schemas as Record<string, Record<string, unknown>>)[ref.replace('#/components/schemas/', '')];
};

describe('buildOpenApiDocument', () => {
  test('is the document the openapi function serves (after changing a route or a schema: npx vitest run test/unit/openapi.test.ts -u)', async () => {
    // The function imports that file (OPENAPI_DOCUMENT) and serves it as it is.
    await expect(`${JSON.stringify(doc, null, 2)}\n`).toMatchFileSnapshot('../../shared/http/openapi.json');
  });

  test('every $ref points at a schema the document defines', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas, ref).toHaveProperty([ref.split('/').pop()!]);
    }
  });

  test('is OpenAPI 3.1.0 with bearer auth by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('every route is under paths with its method and operationId', () => {
    for (const route of all) {
      const op = operation(route.path, route.method.toLowerCase());
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op?.operationId).toBe(route.id);
    }
  });

  test('there are no operations beyond the route table', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(all.map((r) => `${r.method} ${r.path}`).sort());
  });

  test("the PUT's request body is the DailyReturnInput schema: closed to unknown fields, vacancies required", () => {
    const op = operation('/v1/locations/{locationId}/returns/{reportDate}', 'put');
    expect(op?.requestBody?.required).toBe(true);
    const ref = op?.requestBody?.content['application/json']?.schema.$ref;
    expect(ref).toBeDefined();
    const schema = component(ref!);
    expect(schema).toBeDefined();
    expect(schema?.additionalProperties).toBe(false);
    expect(schema?.required).toEqual(expect.arrayContaining(['vacancies', 'beds', 'admissions', 'outbreak', 'workforce', 'ppe', 'visiting']));
    expect(schema?.required).not.toContain('notes');
  });

  test('the PUT documents both path parameters, If-Match and Idempotency-Key', () => {
    const op = operation('/v1/locations/{locationId}/returns/{reportDate}', 'put');
    expect(op?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['locationId', 'path', true],
      ['reportDate', 'path', true],
      ['If-Match', 'header', false],
      ['Idempotency-Key', 'header', false],
    ]);
  });

  test('exactly the keyed writes take an optional Idempotency-Key and document its 409 and 422', () => {
    const keyed = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, Operation>)
        .filter(([, op]) => op.parameters.some((p) => p.name === 'Idempotency-Key'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(keyed.sort()).toEqual(
      ['PUT /v1/locations/{locationId}/returns/{reportDate}', 'POST /v1/locations/{locationId}/returns/{reportDate}/confirm', 'POST /v1/registrations', 'POST /v1/returns/bulk'].sort(),
    );
    for (const [path, method] of [
      ['/v1/locations/{locationId}/returns/{reportDate}', 'put'],
      ['/v1/locations/{locationId}/returns/{reportDate}/confirm', 'post'],
      ['/v1/registrations', 'post'],
      ['/v1/returns/bulk', 'post'],
    ] as const) {
      const op = operation(path, method)!;
      expect(op.parameters.find((p) => p.name === 'Idempotency-Key')).toMatchObject({ in: 'header', required: false, schema: { type: 'string' } });
      expect(op.responses['422']?.description).toMatch(/Idempotency-Key was already used for a different request/);
      expect(op.responses['409']?.description).toMatch(/Idempotency-Key is still being processed/);
      for (const status of ['409', '422']) {
        expect(op.responses[status]?.content).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
      }
    }
  });

  test('the listing documents its query parameters', () => {
    const op = operation('/v1/locations', 'get');
    expect(op?.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['area', 'type', 'limit', 'nextToken']));
  });

  test('error responses are problem+json', () => {
    const op = operation('/v1/locations/{locationId}/returns/{reportDate}', 'put');
    for (const status of ['400', '401', '403', '404', '412', '413']) {
      expect(op?.responses[status]?.content, status).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
    }
    expect(component('#/components/schemas/Problem')).toBeDefined();
  });

  test('health and the document itself need no token; other operations list their roles', () => {
    expect(operation('/v1/health', 'get')?.security).toEqual([]);
    expect(operation('/v1/openapi.json', 'get')?.security).toEqual([]);
    const put = operation('/v1/locations/{locationId}/returns/{reportDate}', 'put');
    expect(put?.security).toBeUndefined();
    expect(put?.['x-allowed-roles']).toEqual(['provider', 'admin']);
  });
});
