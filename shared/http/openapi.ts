import * as z from 'zod';
import { routes, type RouteDefinition } from '#shared/model/routes';
import { Problem } from '#shared/model/schemas/problem';
import { LocationId } from '#shared/model/schemas/common';
import { CalendarDate } from '#shared/model/schemas/common';
import { IDEMPOTENCY_EXPIRY_SECONDS, IDEMPOTENCY_KEY_MAX_LENGTH } from '#shared/http/idempotency-key';

/** JSON Schema for a zod schema, with named schemas (`.meta({ id })`) moved to components. */
function schemaRef(schema: z.ZodType, components: Record<string, unknown>): unknown {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as {
    $defs?: Record<string, unknown>;
    [key: string]: unknown;
  };
  const { $defs, $schema: _schema, ...rest } = generated;
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = toComponentRefs(definition);
  return toComponentRefs(rest);
}

/** zod names shared schemas `#/$defs/X`; in an OpenAPI document they live at `#/components/schemas/X`. */
function toComponentRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

const PATH_PARAMETER_SCHEMAS: Record<string, z.ZodType> = { locationId: LocationId, reportDate: CalendarDate, registrationId: z.uuid() };

function operation(route: RouteDefinition, components: Record<string, unknown>) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: schemaRef(PATH_PARAMETER_SCHEMAS[name ?? ''] ?? z.string(), components),
  }));
  const query = route.request?.query;
  const queryParameters =
    query instanceof z.ZodObject
      ? Object.entries(query.shape as Record<string, z.ZodType>).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema: schemaRef(schema, components),
        }))
      : [];
  const headerParameters = [
    ...(route.request?.ifMatch
      ? [{ name: 'If-Match', in: 'header', required: false, description: 'the version you last saw, e.g. "2"', schema: { type: 'string' } }]
      : []),
    ...(route.request?.idempotencyKey
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'IETF httpapi Idempotency-Key: a fresh value (e.g. a UUID) per request, the same on its retries. A retry by the same caller ' +
              `within ${IDEMPOTENCY_EXPIRY_SECONDS / 3600} hours gets the stored 2xx response again (with Idempotent-Replayed: true) and writes nothing; ` +
              'the key with a different request is a 422, while the first is still running a 409. ' +
              `1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, sent bare or as a quoted string (the quotes not counted).`,
            schema: { type: 'string', minLength: 1 },
            example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
          },
        ]
      : []),
  ];
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : { 'x-allowed-roles': route.access }),
    parameters: [...pathParameters, ...queryParameters, ...headerParameters],
    ...(route.request?.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: schemaRef(route.request.body, components) },
              ...(route.request.csvColumns
                ? {
                    'text/csv': {
                      schema: {
                        type: 'string',
                        description:
                          'RFC 4180 CSV in UTF-8 (a byte order mark is allowed; CRLF or LF), one row per location and day; the first row names the columns, in any order: ' +
                          `${route.request.csvColumns.join(', ')}. Cells starting with a formula character may carry a leading apostrophe, which is dropped.`,
                      },
                    },
                  }
                : {}),
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          content:
            Number(status) >= 400
              ? { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
              : response.mediaType
                ? { [response.mediaType]: { schema: { type: 'string' } } }
                : response.schema
                  ? { 'application/json': { schema: schemaRef(response.schema, components) } }
                  : undefined,
        },
      ]),
    ),
  };
}

/** The OpenAPI 3.1 document, generated from the route table and the zod schemas (nothing hand-written). */
export function buildOpenApiDocument() {
  const components: Record<string, unknown> = {};
  schemaRef(Problem, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly RouteDefinition[]) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Capacity Tracker API',
      version: '1',
      description: 'Daily bed vacancy and status returns from care providers in England.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: components },
    paths,
  };
}
