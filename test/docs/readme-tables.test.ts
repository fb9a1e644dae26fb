import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../scripts/local/gateway';
import { routes } from '../../shared/routes';
import { tables, TABLE_IDS } from '../../shared/tables';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = (name: string) => readme.split(`<!-- ${name}:start -->`)[1]?.split(`<!-- ${name}:end -->`)[0] ?? '';

/** The README's tables are what users read; they must say what the code does. */
describe('README tables match the code', () => {
  test('the route table lists every route with its roles, handler and table access', () => {
    const rows = section('routes')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| method') && !line.startsWith('|---'));
    const expected = routes.map((route) => {
      const who = route.access === 'public' ? 'anyone' : route.access.join(', ');
      const access = Object.entries(route.tables)
        .map(([table, mode]) => `${table} ${mode}`)
        .join(', ');
      return `| ${route.method} | \`${route.path}\` | ${who} | \`${route.handler}\` | ${access}${access ? ' ' : ''}|`;
    });
    expect(rows).toEqual(expected);
  });

  test('the key table names every table and index with its keys', () => {
    const keyTable = section('keys');
    for (const id of TABLE_IDS) {
      const definition = tables[id];
      const sortKey = 'sortKey' in definition ? definition.sortKey.name : undefined;
      expect(keyTable).toMatch(new RegExp(`\\| \`${id}\` \\| \`${definition.partitionKey.name}\` \\| ${sortKey ? `\`${sortKey}\`` : '—'}`));
      for (const index of definition.indexes) {
        expect(keyTable).toContain(`| \`${id}\` GSI \`${index.indexName}\` | \`${index.partitionKey.name}\``);
      }
      if ('stream' in definition) expect(keyTable).toMatch(new RegExp(`\\| \`${id}\` .*${definition.stream}`));
    }
  });
});
