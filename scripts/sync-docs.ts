/**
 * Rewrites the generated blocks of README.md and docs/ from their sources (schema/schema.graphql, the
 * settings in src/config.ts); with --check, writes nothing and fails when a block is stale, a link leads
 * nowhere, an answer of the schema is missing from docs/contract.md or an example message is not the code's.
 * Usage: node dist/scripts/sync-docs.js [--check] [--root <dir>]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeSetting, SETTINGS } from '../src/config.js';
import { DocsError, syncDocs, type DocSetting } from './docs-blocks.js';

const { values } = parseArgs({
  options: { check: { type: 'boolean', default: false }, root: { type: 'string' } },
});
const root = path.resolve(values.root ?? fileURLToPath(new URL('../..', import.meta.url)));
const check = values.check === true;
// Typed, not cast: a setting that stops fitting the table's shape fails the build here.
const settings: readonly DocSetting[] = Object.values(SETTINGS).map((s) => ({
  ...s,
  help: describeSetting(s),
}));

try {
  const report = await syncDocs(
    root,
    {
      schemaSdl: readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'),
      settings,
    },
    !check,
  );
  for (const note of report.notes) console.log(`note: ${note}`);
  for (const file of report.stale) {
    console.error(`${file} is stale: run \`npm run docs\` and commit the result.`);
  }
  for (const problem of report.problems) console.error(problem);
  if (report.stale.length > 0 || report.problems.length > 0) process.exit(1);
  console.log(check ? 'docs are up to date.' : 'docs written.');
} catch (error) {
  if (!(error instanceof DocsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
