import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { describeSetting, SETTINGS } from '../../src/config.js';
import {
  DocsError,
  headingAnchors,
  linkTargets,
  renderRootUnions,
  renderSdl,
  renderSettingsTable,
  syncDocs,
  type DocSetting,
  type DocsSources,
} from '../../scripts/docs-blocks.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'dist/scripts/sync-docs.js');
const SETTING_LIST: readonly DocSetting[] = Object.values(SETTINGS).map((s) => ({
  ...s,
  help: describeSetting(s),
}));
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'data', 'coverage']);

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the repository's sources and docs, to drift on purpose. */
function copyRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'docs-sync-'));
  copies.push(dir);
  cpSync(REPO, dir, {
    recursive: true,
    filter: (source) => !SKIPPED.has(path.basename(source)),
  });
  return dir;
}

const sourcesOf = (root: string): DocsSources => ({
  schemaSdl: readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'),
  settings: SETTING_LIST,
});

function edit(root: string, file: string, change: (text: string) => string): void {
  const target = path.join(root, file);
  const before = readFileSync(target, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(target, after);
}

const SCHEMA = readFileSync(path.join(REPO, 'schema/schema.graphql'), 'utf8');

describe('the generated SDL', () => {
  const sdl = renderSdl(SCHEMA);

  it('is the served contract without descriptions or federation plumbing, and still parses', () => {
    expect(sdl).toContain('updateMyMfa(input: UpdateMyMfaInput!): UpdateMyMfaResult!');
    expect(sdl).not.toContain('"""');
    expect(sdl).not.toMatch(/_service|_Service|link__|federation__/);
    expect(() => parse(sdl)).not.toThrow();
  });

  it('lists every error member with only the fields it adds to MfaError', () => {
    expect(sdl).toContain('# type MfaRateLimitedError implements MfaError { retryAfterSeconds: Int }');
    expect(sdl).toContain('# type MfaWrongPasswordError implements MfaError\n');
    expect(sdl).not.toMatch(/^type Mfa\w+Error implements/m);
  });

  it('puts the roots first, mutation before query', () => {
    expect(sdl.indexOf('type Mutation')).toBe(0);
    expect(sdl.indexOf('type Query')).toBeLessThan(sdl.indexOf('union '));
  });
});

describe('the union table', () => {
  it('marks which root field answers which __typename', () => {
    const table = renderRootUnions(SCHEMA);
    const row = table.split('\n').find((line) => line.startsWith('| `MfaWrongPasswordError`'));
    expect(row?.split('|').map((cell) => cell.trim())).toEqual([
      '',
      '`MfaWrongPasswordError`',
      '✓',
      '',
      '',
      '',
    ]);
  });
});

describe('the settings table', () => {
  it('has one row per setting, in --help order', () => {
    const rows = renderSettingsTable(SETTING_LIST).split('\n').slice(2);
    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(SETTING_LIST.map((s) => s.env));
  });

  it('keeps only the settings named, and refuses a name config.ts does not have', () => {
    expect(renderSettingsTable(SETTING_LIST, ['PORT']).split('\n')).toHaveLength(3);
    expect(() => renderSettingsTable(SETTING_LIST, ['NO_SUCH_SETTING'])).toThrow(DocsError);
  });
});

describe('links and anchors', () => {
  it('reads relative links, not external ones or links inside code', () => {
    const text = '[a](docs/a.md#x) [b](https://example.com) `[c](c.md)`\n```\n[d](d.md)\n```\n';
    expect(linkTargets(text)).toEqual(['docs/a.md#x']);
  });

  it('makes anchors the way GitHub does', () => {
    expect([
      ...headingAnchors('# The GraphQL contract\n## Every answer\n## `x-request-id`\n## Every answer\n'),
    ]).toEqual(['the-graphql-contract', 'every-answer', 'x-request-id', 'every-answer-1']);
  });
});

describe('syncDocs --check on the repository', () => {
  it('finds the committed docs fresh and every link whole', async () => {
    const root = copyRepo();
    const report = await syncDocs(root, sourcesOf(root), false);
    expect(report.stale).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  // One copy drifts in every way at once: each run of the docs costs about a second on this machine.
  describe('on a copy that drifted', () => {
    const root = copyRepo();
    const changeSchema = (sdl: string) => sdl.replace('  turnedOn: Boolean!\n', '  turnedOn: Boolean\n');
    edit(root, 'schema/schema.graphql', changeSchema);
    edit(root, 'README.md', (text) => text.replace('| `MfaStatus`  ', '| `MfaStatusX` '));
    edit(root, 'docs/security.md', (text) =>
      text.replace('(operations.md#configuration)', '(operation.md#configuration)'),
    );
    edit(root, 'docs/store.md', (text) =>
      text.replace('(../src/backend/store/README.md)', '(../src/backend/store/README.md#no-such-heading)'),
    );
    edit(root, 'docs/contract.md', (text) =>
      text
        .replaceAll('`MfaConflictError`', 'the conflict error')
        .replace('"Too many requests. Wait before trying again."', '"Too many requests."'),
    );
    // The settings come from config.ts, not the copy: drop one as if it had been added since.
    const fewerSettings = SETTING_LIST.filter((s) => s.env !== 'PORT');
    const sources = (): DocsSources => ({ ...sourcesOf(root), settings: fewerSettings });

    it('reports each stale file and each problem', async () => {
      const report = await syncDocs(root, sources(), false);
      // README: the hand edit; contract: the schema; operations: the settings (security.md lists no PORT).
      expect(report.stale).toEqual(['README.md', 'docs/contract.md', 'docs/operations.md']);
      expect(report.problems).toEqual([
        expect.stringContaining('docs/security.md: link to operation.md#configuration'),
        expect.stringContaining('docs/store.md: link to ../src/backend/store/README.md#no-such-heading'),
        expect.stringContaining('`MfaConflictError` is in the schema'),
        expect.stringContaining('example message "Too many requests."'),
      ]);
    });

    it('rewrites the stale blocks in write mode, leaving the prose problems to a person', async () => {
      const written = await syncDocs(root, sources(), true);
      expect(written.stale).toEqual([]);
      const again = await syncDocs(root, sources(), false);
      expect(again.stale).toEqual([]);
      expect(again.problems).toHaveLength(4);
      expect(readFileSync(path.join(root, 'docs/contract.md'), 'utf8')).toContain('  turnedOn: Boolean\n');
    });
  });
});

describe('the docs:check command', () => {
  const run = (root: string) =>
    spawnSync(process.execPath, [CLI, '--check', '--root', root], { encoding: 'utf8' });

  it('exits 0 on the repository and 1, naming the file, on drift', () => {
    if (!existsSync(CLI)) throw new Error('run `npm run build` first: dist/scripts/sync-docs.js is missing');
    const root = copyRepo();
    expect(run(root).status).toBe(0);
    edit(root, 'schema/schema.graphql', (sdl) =>
      sdl.replace('  turnedOn: Boolean!\n', '  turnedOn: Boolean\n'),
    );
    const drifted = run(root);
    expect(drifted.status).toBe(1);
    expect(drifted.stderr).toContain('docs/contract.md is stale');
  });
});
