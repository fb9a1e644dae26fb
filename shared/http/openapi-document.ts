/**
 * The OpenAPI document the `openapi` function serves: `buildOpenApiDocument()` (`openapi.ts`), written to
 * `openapi.json` ahead of time so the function carries the document and not the generator, zod's JSON
 * Schema conversion and every route's schemas (and does not convert them all at each cold start).
 * test/unit/openapi.test.ts fails while the file differs from what the generator makes now; after
 * changing a route or a schema, rewrite it with `npx vitest run test/unit/openapi.test.ts -u`.
 */
import document from './openapi.json' with { type: 'json' };

export const OPENAPI_DOCUMENT: unknown = document;
