/**
 * Validates every CloudFormation template in a cloud assembly against the CloudFormation resource
 * database (infra/validation/template-spec.ts). Exits 1 on any problem, or if there is no template.
 *
 *   tsx scripts/validate-templates.ts [cdk.out]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadSpecDatabase, resourceCount, validateTemplate } from '#infra/validation/template-spec';

/** `*.template.json` in the folder and in nested assemblies; bundled asset folders are skipped. */
function findTemplates(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name.startsWith('asset.') ? [] : findTemplates(path);
      return entry.isFile() && entry.name.endsWith('.template.json') ? [path] : [];
    })
    .sort();
}

function main(): number {
  const folder = process.argv[2] ?? 'cdk.out';
  let templates: string[];
  try {
    templates = findTemplates(folder);
  } catch (error) {
    console.error(`validate-templates: cannot read ${folder}: ${(error as Error).message}`);
    return 1;
  }
  if (templates.length === 0) {
    console.error(`validate-templates: no *.template.json in ${folder}`);
    return 1;
  }

  const started = performance.now();
  const db = loadSpecDatabase();
  const loadedAt = performance.now();
  let problemCount = 0;
  for (const file of templates) {
    const template = JSON.parse(readFileSync(file, 'utf8')) as object;
    const problems = validateTemplate(template, db);
    problemCount += problems.length;
    const name = relative(folder, file);
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}: ${resourceCount(template)} resources checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    for (const problem of problems) console.log(`       ${problem.path}: ${problem.message}`);
  }
  const finished = performance.now();
  console.log(
    `validate-templates: ${templates.length} template${templates.length === 1 ? '' : 's'}, ${problemCount} problem${problemCount === 1 ? '' : 's'} ` +
      `(resource database loaded in ${Math.round(loadedAt - started)} ms, checked in ${Math.round(finished - loadedAt)} ms)`,
  );
  return problemCount === 0 ? 0 : 1;
}

process.exitCode = main();
