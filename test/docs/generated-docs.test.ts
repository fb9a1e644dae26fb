import { describe, expect, test } from 'vitest';
import { ACCESS_COLUMNS, expectedAccess, generatedSections, readDocFiles, readDocInputs, renderDocs, renderFile, sections } from '#scripts/docs/generate';
import { routes, type RouteDefinition } from '#shared/model/routes';
import { tables, TABLE_IDS } from '#shared/model/tables';

/**
 * The docs' tables are what people read; they must say what the code does. Each is a generated section
 * (`<!-- generated:NAME -->` … `<!-- /generated:NAME -->`) that `npm run docs` (scripts/docs/generate.ts)
 * writes from the code and bench/results.json; a section that differs from what it would write fails here.
 */
const files = readDocFiles();
const inputs = readDocInputs();
const rendered = renderDocs(files, inputs);

describe('README.md and docs/*.md', () => {
  for (const [path, text] of Object.entries(files)) {
    test(`${path}: every generated section is what npm run docs writes`, () => {
      const written = generatedSections(text);
      for (const [name, body] of generatedSections(rendered[path]!)) {
        expect(written.get(name), `${path}: the generated section "${name}" is stale: run npm run docs`).toBe(body);
      }
    });
  }

  test('every generated table is in the docs, where readers (and tests) look for it', () => {
    const where = (name: string) => Object.keys(files).filter((path) => generatedSections(files[path]!).has(name));
    for (const name of Object.keys(sections)) expect(where(name), `no doc has the generated section ${name}`).not.toEqual([]);
    expect(where('routes')).toContain('docs/api.md');
    expect(where('access')).toContain('docs/api.md');
    // test/integration/authorization-matrix.test.ts reads the matrix from the README.
    expect(where('keys')).toContain('docs/data-model.md');
  });

  test('the README is a map: at most 300 lines, linking every page of docs/', () => {
    const readme = files['README.md']!;
    expect(readme.split('\n').length).toBeLessThanOrEqual(301);
    for (const path of Object.keys(files).filter((p) => p.startsWith('docs/'))) {
      expect(readme, `README.md does not link ${path}`).toContain(`](${path})`);
    }
  });

  test('links between the docs point at files and headings that exist', () => {
    // GitHub's anchors: the heading in lower case, without punctuation, spaces as hyphens.
    const anchors = (text: string) =>
      new Set([...text.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
    for (const [path, text] of Object.entries(files)) {
      for (const [, target, anchor] of text.matchAll(/\]\(([\w./-]+\.md)?(?:#([\w-]+))?\)/g)) {
        if (target === undefined && anchor === undefined) continue;
        const resolved = target === undefined ? path : path.startsWith('docs/') && !target.startsWith('docs/') ? `docs/${target}` : target;
        expect(Object.keys(files), `${path} links ${target}`).toContain(resolved);
        if (anchor !== undefined) expect([...anchors(files[resolved]!)], `${path} links ${target ?? ''}#${anchor}`).toContain(anchor);
      }
    }
  });
});

describe('the generated tables', () => {
  const section = (path: string, name: string) => generatedSections(rendered[path]!).get(name) ?? '';
  const rows = (text: string) => text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('|---'));

  test('the route table lists every route with its roles, handler and tables', () => {
    const [header, ...body] = rows(section('docs/api.md', 'routes'));
    expect(header).toBe('| method | path | who | handler | tables |');
    expect(body).toHaveLength(routes.length);
    for (const [index, route] of (routes as readonly RouteDefinition[]).entries()) {
      const line = body[index]!;
      expect(line.startsWith(`| ${route.method} | \`${route.path}\` | `)).toBe(true);
      expect(line).toContain(`| \`${route.handler}\` |`);
      for (const role of route.access === 'public' ? ['anyone'] : route.access) expect(line).toContain(role);
      for (const [table, mode] of Object.entries(route.tables)) expect(line).toContain(`${table} ${mode}`);
    }
  });

  test('the key table names every table and index with its keys, stream and TTL', () => {
    const keyTable = section('docs/data-model.md', 'keys');
    for (const id of TABLE_IDS) {
      const definition = tables[id];
      const sortKey = 'sortKey' in definition ? `\`${definition.sortKey.name}\`` : '—';
      expect(keyTable).toContain(`| \`${id}\` | \`${definition.partitionKey.name}\` | ${sortKey} |`);
      for (const index of definition.indexes) {
        expect(keyTable).toContain(`| \`${id}\` GSI \`${index.indexName}\` | \`${index.partitionKey.name}\``);
      }
      if ('stream' in definition) expect(keyTable).toMatch(new RegExp(`\\| \`${id}\` .*${definition.stream}`));
      if ('ttlAttribute' in definition) expect(keyTable).toMatch(new RegExp(`\\| \`${id}\` .*\`${definition.ttlAttribute}\``));
    }
  });

  test('the access matrix has a row per route, and the answers the route table implies', () => {
    const matrix = section('docs/api.md', 'access');
    expect(matrix.startsWith('<!-- access:start -->\n')).toBe(true);
    const [header, ...body] = rows(matrix);
    expect(header).toBe(`| route | ${ACCESS_COLUMNS.join(' | ')} |`);
    expect(body).toHaveLength(routes.length);
    for (const route of routes as readonly RouteDefinition[]) {
      const row = body.find((line) => line.startsWith(`| \`${route.method} ${route.path}\` |`));
      expect(row).toBeDefined();
      if (route.access === 'public') expect(ACCESS_COLUMNS.map((column) => expectedAccess(route, column))).toEqual(ACCESS_COLUMNS.map(() => '2xx'));
      else {
        expect(expectedAccess(route, 'none')).toBe('401');
        expect(expectedAccess(route, 'link (own)')).toBe(route.updateLink ? '2xx' : '403');
        expect(expectedAccess(route, 'link (other)')).toBe('403');
      }
    }
  });

  test('the benchmark tables come from bench/results.json', () => {
    expect(inputs.bench, 'bench/results.json is missing').toBeDefined();
    const reminders = section('docs/benchmarks.md', 'bench-reminders');
    for (const row of inputs.bench!.reminders ?? []) expect(reminders).toContain(`| ${row.staleLocations} | ${row.itemsRead} |`);
    const bundles = section('docs/benchmarks.md', 'bench-bundles');
    for (const row of inputs.bench!.bundles?.rows ?? []) expect(bundles).toContain(row.baseline ? `*${row.name}*` : `| ${row.name} |`);
  });
});

describe('the generator', () => {
  const none = { bench: undefined };

  test('rewrites what is between the markers and nothing else', () => {
    const text = 'before\n<!-- generated:routes -->\nstale\n<!-- /generated:routes -->\nafter\n';
    const out = renderFile('x.md', text, none);
    expect(out.startsWith('before\n<!-- generated:routes -->\n| method |')).toBe(true);
    expect(out.endsWith('\n<!-- /generated:routes -->\nafter\n')).toBe(true);
    expect(renderFile('x.md', out, none)).toBe(out);
  });

  test('refuses an unknown section, and one left open or closed by another name', () => {
    expect(() => renderFile('x.md', '<!-- generated:nope -->\n<!-- /generated:nope -->\n', none)).toThrow(/no generated section named nope/);
    expect(() => renderFile('x.md', '<!-- generated:routes -->\nno end\n', none)).toThrow(/not closed/);
    expect(() => renderFile('x.md', '<!-- generated:routes -->\n<!-- /generated:keys -->\n', none)).toThrow(/closed by/);
  });

  test('says so, instead of failing, when bench/results.json lacks a section', () => {
    expect(sections['bench-lag']!(none)).toMatch(/Run `npm run bench`, then `npm run docs`/);
  });
});
