/**
 * Keeps the docs honest: blocks between `<!-- name:begin -->` and `<!-- name:end -->` markers are
 * generated from their source (the committed SDL, the settings table), and the prose is checked for
 * links that lead nowhere, answers the contract forgets and example messages the code no longer sends.
 * `scripts/sync-docs.ts` is the command; this module does the work so tests can call it on a copy.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
  type TypeDefinitionNode,
  type TypeNode,
} from 'graphql';
import * as prettier from 'prettier';

/** One row of the settings table, as config.ts declares it. */
export interface DocSetting {
  readonly env: string;
  readonly flag: string;
  readonly help: string;
  readonly fallback?: string;
}

export interface DocsSources {
  /** The committed SDL (schema/schema.graphql). */
  readonly schemaSdl: string;
  /** Every setting, in --help order. */
  readonly settings: readonly DocSetting[];
}

/** The files whose generated blocks and links are kept; paths relative to the repository root. */
export const DOC_ROOTS = ['README.md', 'docs', 'bench', 'src'] as const;

/**
 * Link targets another branch is writing right now. A link to one is not reported as broken while it is
 * missing; once the file exists the check asks for the entry to be removed here.
 */
export const PENDING_TARGETS: readonly string[] = [];

/** Where the contract's answers must each be named. */
export const CONTRACT_DOC = 'docs/contract.md';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data', 'coverage', '.git', 'peer', 'results']);

// ---------------------------------------------------------------------------------------------------
// The SDL

const isPlumbing = (name: string): boolean =>
  name.startsWith('_') || name.startsWith('link__') || name.startsWith('federation__');

const ROOT_ORDER = ['Mutation', 'Query'];

type NamedDefinition = TypeDefinitionNode;

function typeDefinitions(document: DocumentNode): NamedDefinition[] {
  return document.definitions.filter(
    (d: DefinitionNode): d is NamedDefinition =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION ||
        d.kind === Kind.INTERFACE_TYPE_DEFINITION ||
        d.kind === Kind.UNION_TYPE_DEFINITION ||
        d.kind === Kind.ENUM_TYPE_DEFINITION ||
        d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
        d.kind === Kind.SCALAR_TYPE_DEFINITION) &&
      !isPlumbing(d.name.value),
  );
}

/** Descriptions are long prose; the docs block shows the shape, schema/schema.graphql the words. */
function withoutDescriptions(document: DocumentNode): DocumentNode {
  const drop = (node: { description?: unknown }) => ({ ...node, description: undefined });
  return visit(document, {
    ObjectTypeDefinition: drop,
    InterfaceTypeDefinition: drop,
    UnionTypeDefinition: drop,
    EnumTypeDefinition: drop,
    EnumValueDefinition: drop,
    InputObjectTypeDefinition: drop,
    InputValueDefinition: drop,
    FieldDefinition: drop,
    ScalarTypeDefinition: drop,
  });
}

/** The interface every error member implements, if the schema has one. */
const ERROR_INTERFACE = 'MfaError';

function isErrorMember(definition: NamedDefinition): boolean {
  return (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION &&
    (definition.interfaces ?? []).some((i) => i.name.value === ERROR_INTERFACE)
  );
}

const objectsOf = (definitions: readonly NamedDefinition[]): ObjectTypeDefinitionNode[] =>
  definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);

/**
 * Orders types as a reader meets them: each root field's arguments, its result and the result's members,
 * root field by root field. Types no root field names directly come last, in file order.
 */
function referenceRanks(
  roots: readonly ObjectTypeDefinitionNode[],
  definitions: readonly NamedDefinition[],
): (definition: NamedDefinition) => number {
  const byName = new Map(definitions.map((d) => [d.name.value, d]));
  const order: string[] = [];
  const meet = (name: string) => {
    if (!order.includes(name)) order.push(name);
  };
  for (const field of roots.flatMap((root) => root.fields ?? [])) {
    for (const arg of field.arguments ?? []) meet(namedType(arg.type));
    const result = namedType(field.type);
    meet(result);
    const union = byName.get(result);
    if (union?.kind === Kind.UNION_TYPE_DEFINITION) for (const t of union.types ?? []) meet(t.name.value);
  }
  return (definition) => {
    const at = order.indexOf(definition.name.value);
    return at === -1 ? order.length + definitions.indexOf(definition) : at;
  };
}

const namedType = (type: TypeNode): string => print(type).replace(/[[\]!]/g, '');

/**
 * The served contract without descriptions and federation plumbing, in reading order: roots, unions,
 * inputs, objects, interfaces, enums. The error members repeat the interface's fields word for word, so
 * they are listed in a comment with only what each adds.
 */
export function renderSdl(schemaSdl: string): string {
  const definitions = typeDefinitions(withoutDescriptions(parse(schemaSdl)));
  const errorInterface = definitions.find(
    (d): d is InterfaceTypeDefinitionNode =>
      d.kind === Kind.INTERFACE_TYPE_DEFINITION && d.name.value === ERROR_INTERFACE,
  );
  const interfaceFields = new Set((errorInterface?.fields ?? []).map((f) => f.name.value));
  const members = objectsOf(definitions).filter(isErrorMember);
  const rest = definitions.filter((d) => !isErrorMember(d));
  const roots = ROOT_ORDER.flatMap((name) => objectsOf(rest).filter((d) => d.name.value === name)).map(
    (d): ObjectTypeDefinitionNode => ({
      ...d,
      fields: (d.fields ?? []).filter((f) => !isPlumbing(f.name.value)),
    }),
  );
  const rank = referenceRanks(roots, definitions);
  const byRank = (a: NamedDefinition, b: NamedDefinition) => rank(a) - rank(b);
  const ofKind = (kind: Kind) =>
    rest.filter((d) => d.kind === kind && !ROOT_ORDER.includes(d.name.value)).sort(byRank);
  const ordered: NamedDefinition[] = [
    ...roots,
    ...ofKind(Kind.UNION_TYPE_DEFINITION),
    ...ofKind(Kind.INPUT_OBJECT_TYPE_DEFINITION),
    ...ofKind(Kind.OBJECT_TYPE_DEFINITION),
    ...ofKind(Kind.INTERFACE_TYPE_DEFINITION),
    ...ofKind(Kind.ENUM_TYPE_DEFINITION),
    ...ofKind(Kind.SCALAR_TYPE_DEFINITION),
  ];
  const memberLines = [...members].sort(byRank).map((member) => {
    const extra = (member.fields ?? []).filter((f) => !interfaceFields.has(f.name.value));
    const head = `# type ${member.name.value} implements ${ERROR_INTERFACE}`;
    return extra.length === 0 ? head : `${head} { ${extra.map((f) => print(f)).join(', ')} }`;
  });
  const memberComment =
    members.length === 0
      ? []
      : [
          [
            `# The error members: each implements ${ERROR_INTERFACE} with exactly its fields, plus any shown here.`,
            ...memberLines,
          ].join('\n'),
        ];
  return [...ordered.map((d) => print(d)), ...memberComment].join('\n\n');
}

/** Which `__typename`s each root field can answer: one column per root field, one row per type. */
export function renderRootUnions(schemaSdl: string): string {
  const definitions = typeDefinitions(withoutDescriptions(parse(schemaSdl)));
  const byName = new Map(definitions.map((d) => [d.name.value, d]));
  const columns: { heading: string; result: string; members: string[] }[] = [];
  for (const rootName of ROOT_ORDER) {
    const root = byName.get(rootName);
    if (root?.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const field of root.fields ?? []) {
      if (isPlumbing(field.name.value)) continue;
      const result = namedType(field.type);
      const union = byName.get(result);
      columns.push({
        heading: `\`${rootName.toLowerCase()} ${field.name.value}\``,
        result,
        members:
          union?.kind === Kind.UNION_TYPE_DEFINITION
            ? (union.types ?? []).map((t) => t.name.value)
            : [result],
      });
    }
  }
  const seen: string[] = [];
  for (const column of columns)
    for (const member of column.members) if (!seen.includes(member)) seen.push(member);
  // Success types first, then the errors, each in the order the fields meet them.
  const isError = (name: string) => {
    const definition = byName.get(name);
    return definition !== undefined && isErrorMember(definition);
  };
  const rows = [...seen.filter((m) => !isError(m)), ...seen.filter(isError)];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['`__typename`', ...columns.map((c) => c.heading)]),
    line(['---', ...columns.map(() => ':---:')]),
    line(['_the union_', ...columns.map((c) => `\`${c.result}\``)]),
    ...rows.map((member) =>
      line([`\`${member}\``, ...columns.map((c) => (c.members.includes(member) ? '✓' : ''))]),
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The settings table

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The settings as a table, all of them or only those named (by environment variable), in --help order. */
export function renderSettingsTable(settings: readonly DocSetting[], only: readonly string[] = []): string {
  const unknown = only.filter((env) => !settings.some((s) => s.env === env));
  if (unknown.length > 0) throw new DocsError(`no setting named ${unknown.join(', ')} in src/config.ts`);
  const chosen = only.length === 0 ? settings : settings.filter((s) => only.includes(s.env));
  return [
    '| variable | flag | default | meaning |',
    '| --- | --- | --- | --- |',
    ...chosen.map(
      (s) =>
        `| \`${s.env}\` | \`${s.flag}\` | ${s.fallback === undefined ? '(unset)' : `\`${cell(s.fallback)}\``} | ${cell(s.help)} |`,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Blocks

/** A problem a person must fix (unknown block, bad marker argument); not a stale file. */
export class DocsError extends Error {}

const BLOCK = /<!-- ([a-z]+):begin((?: [^>]*?)?) -->\n[\s\S]*?<!-- \1:end -->/g;

function renderBlock(name: string, args: readonly string[], sources: DocsSources, file: string): string {
  switch (name) {
    case 'sdl':
      return ['```graphql', renderSdl(sources.schemaSdl), '```'].join('\n');
    case 'unions':
      return renderRootUnions(sources.schemaSdl);
    case 'settings':
      return renderSettingsTable(sources.settings, args);
    default:
      throw new DocsError(`${file}: unknown generated block '${name}'`);
  }
}

/**
 * The file's text with every generated block rendered afresh. Each block is formatted as `npm run format`
 * would format it in place (the blocks stand at the top level), so the two never disagree.
 */
export async function fillBlocks(
  text: string,
  sources: DocsSources,
  absolutePath: string,
  file = absolutePath,
): Promise<string> {
  const options = (await prettier.resolveConfig(absolutePath)) ?? {};
  let filled = '';
  let done = 0;
  for (const match of text.matchAll(BLOCK)) {
    const [whole, name = '', rawArgs = ''] = match;
    const args = rawArgs.trim() === '' ? [] : rawArgs.trim().split(/\s+/);
    const body = await prettier.format(renderBlock(name, args, sources, file), {
      ...options,
      parser: 'markdown',
    });
    filled += `${text.slice(done, match.index)}<!-- ${name}:begin${rawArgs} -->\n\n${body.trim()}\n\n<!-- ${name}:end -->`;
    done = match.index + whole.length;
  }
  return filled + text.slice(done);
}

// ---------------------------------------------------------------------------------------------------
// Links

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const text = heading[1].replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Fenced blocks hold example text, not headings or links. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** Inline code holds example text too. */
const withoutCode = (markdown: string): string => withoutFences(markdown).replace(/`[^`\n]*`/g, '');

/** Every relative link target in a markdown text (external and mail links are not checked). */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of withoutCode(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    targets.push(target);
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------------
// The run

export interface DocsReport {
  /** Files whose generated blocks (or formatting) differ from what the sources give. */
  readonly stale: string[];
  /** Broken links, forgotten answers, messages the code does not send. */
  readonly problems: string[];
  /** Not failures: things to tidy (a pending link target that exists now). */
  readonly notes: string[];
}

function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isFile()) {
      if (relative.endsWith('.md')) found.push(relative);
      return;
    }
    for (const entry of readdirSync(absolute).sort()) {
      if (SKIPPED_DIRS.has(entry)) continue;
      walk(path.join(relative, entry));
    }
  };
  for (const start of DOC_ROOTS) walk(start);
  return found.map((f) => f.split(path.sep).join('/'));
}

function sourceFiles(root: string, relative: string): string[] {
  const absolute = path.join(root, relative);
  if (!existsSync(absolute)) return [];
  if (statSync(absolute).isFile()) return relative.endsWith('.ts') ? [absolute] : [];
  return readdirSync(absolute).flatMap((entry) => sourceFiles(root, path.join(relative, entry)));
}

function checkLinks(root: string, file: string, text: string, report: DocsReport): void {
  const directory = path.posix.dirname(file);
  for (const target of linkTargets(text)) {
    const [pathPart = '', anchor] = target.split('#', 2);
    const targetFile = pathPart === '' ? file : path.posix.normalize(path.posix.join(directory, pathPart));
    const absolute = path.join(root, targetFile);
    if (!existsSync(absolute)) {
      if (PENDING_TARGETS.includes(targetFile)) continue;
      report.problems.push(`${file}: link to ${target}: ${targetFile} does not exist`);
      continue;
    }
    if (anchor && targetFile.endsWith('.md')) {
      if (!headingAnchors(readFileSync(absolute, 'utf8')).has(anchor)) {
        report.problems.push(`${file}: link to ${target}: ${targetFile} has no heading #${anchor}`);
      }
    }
  }
}

/** Every member of every union and every error code must be named in the contract's prose. */
function checkContractCoverage(root: string, sources: DocsSources, report: DocsReport): void {
  const contractPath = path.join(root, CONTRACT_DOC);
  if (!existsSync(contractPath)) {
    report.problems.push(`${CONTRACT_DOC} is missing`);
    return;
  }
  // Only the prose counts: the generated SDL block names everything by construction.
  const prose = readFileSync(contractPath, 'utf8').replace(BLOCK, '');
  const definitions = typeDefinitions(parse(sources.schemaSdl));
  const names = new Set<string>();
  for (const d of definitions) {
    if (d.kind === Kind.UNION_TYPE_DEFINITION) for (const t of d.types ?? []) names.add(t.name.value);
    if (d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === `${ERROR_INTERFACE}Code`) {
      for (const v of d.values ?? []) names.add(v.name.value);
    }
  }
  for (const name of names) {
    if (!prose.includes(`\`${name}\``)) {
      report.problems.push(
        `${CONTRACT_DOC}: \`${name}\` is in the schema but no answer in the docs names it`,
      );
    }
  }
}

/** An example answer's `message` must be one the code sends, word for word. */
function checkExampleMessages(root: string, files: readonly string[], report: DocsReport): void {
  const code = sourceFiles(root, 'src')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/"message": "((?:[^"\\]|\\.)*)"/g)) {
      const message = match[1] ?? '';
      // Whole string literals only: a shortened message is a substring of the real one.
      if (!["'", '"', '`'].some((quote) => code.includes(`${quote}${message}${quote}`))) {
        report.problems.push(`${file}: example message "${message}" is not sent by any code under src/`);
      }
    }
  }
}

/**
 * Renders every generated block of every doc file and runs the checks. With `write`, stale files are
 * rewritten (and not reported stale); without, nothing is written.
 */
export async function syncDocs(root: string, sources: DocsSources, write: boolean): Promise<DocsReport> {
  const report: DocsReport = { stale: [], problems: [], notes: [] };
  const files = markdownFiles(root);
  for (const file of files) {
    const absolute = path.join(root, file);
    const current = readFileSync(absolute, 'utf8');
    if (!new RegExp(BLOCK.source).test(current)) continue;
    const wanted = await fillBlocks(current, sources, absolute, file);
    if (wanted === current) continue;
    if (write) writeFileSync(absolute, wanted);
    else report.stale.push(file);
  }
  for (const file of files) checkLinks(root, file, readFileSync(path.join(root, file), 'utf8'), report);
  for (const pending of PENDING_TARGETS) {
    if (existsSync(path.join(root, pending))) {
      report.notes.push(`${pending} exists now: remove it from PENDING_TARGETS in scripts/docs-blocks.ts`);
    }
  }
  checkContractCoverage(root, sources, report);
  checkExampleMessages(root, files, report);
  return report;
}
