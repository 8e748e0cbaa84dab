/** Writes the subgraph SDL to schema/schema.graphql; with --check, fails when the committed file is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildMfaSchema } from '../src/schema.js';

const target = new URL('../../schema/schema.graphql', import.meta.url);
const sdl = `${buildMfaSchema().sdl.trim()}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== sdl) {
    console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date.');
} else {
  writeFileSync(target, sdl);
  console.log('wrote schema/schema.graphql');
}
