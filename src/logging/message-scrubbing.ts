/**
 * One scrubbing for every error text that leaves the process: the messages clients receive and the
 * messages, stacks and causes the log keeps. graphql-js and Apollo quote the client's input in their
 * messages (the offending value, a variable's whole value, an object key, an operation name), and a
 * client may have written its password in any of those places.
 *
 * Three layers, in this order:
 * 1. Literal redaction of the request's own secrets (its token, its variables' strings, the strings and
 *    unknown names of its document), when the caller knows the request.
 * 2. Templates of the messages that quote client input. A matched message is rebuilt from the template's
 *    fixed text, names the schema defines, and "[redacted]" for every value: nothing of a value survives,
 *    whatever characters it holds (quotes, `; `, ` at "`, newlines), because the output never copies one.
 * 3. Anything else is cut at the first quoted text that is not made of schema names, or at the first
 *    phrase that introduces a value ("found", "got", "value:").
 */
import { isSchemaText } from './schema-names.js';

export const REDACTED = '[redacted]';

export interface ScrubScope {
  /** The schema's names (security/schema-names.ts); quoted text made of them is kept. Defaults to none. */
  readonly names?: ReadonlySet<string>;
  /** Texts of this request to replace wherever they appear (requestSecrets below). Defaults to none. */
  readonly secrets?: readonly string[];
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Templates are matched only on messages up to this length; longer ones are cut (layer 3), which is linear. */
const MAX_TEMPLATE_INPUT = 2_048;

type Hole =
  /** A quoted name or type: kept when made of schema names, else "[redacted]". */
  | 'name'
  /** A value the client sent: always "[redacted]". */
  | 'value'
  /** A path into a variable (`input.actions[2]`): kept when made of schema names and indices. */
  | 'path'
  /** graphql-js's " Did you mean …?": kept when every suggestion is a schema name, else dropped. */
  | 'suggestions'
  /** A lexer token description (`<EOF>`, `"{"`, `Name "x"`): punctuation is kept, a token's text is not. */
  | 'token'
  /** What the parser expected (`Name`, `"{"`, `"on"`): the parser's own words. */
  | 'expected'
  /** A character the lexer refused: kept as `U+0000`, `<EOF>` or `'"'`, else "[redacted]". */
  | 'char';

const HOLE_PATTERNS: Record<Hole, string> = {
  // Names and types are lexical or printed by graphql-js (no quotes in them) except where the client
  // wrote them raw (object keys, enum values, operation names): those use `value`-like lazy holes below.
  name: '([^"]*)',
  value: '([\\s\\S]*?)',
  path: '([\\s\\S]*?)',
  suggestions: '((?: Did you mean (?:the enum value )?(?:"[^"]*"(?:, |,? or )?)+\\?)?)',
  token: '(<EOF>|"[^"]{1,3}"|(?:Name|Int|Float|String|BlockString|Comment) "[\\s\\S]*")',
  expected: '("[A-Za-z]{1,12}"|"[^"A-Za-z]{1,3}"|[A-Za-z<>]{1,12})',
  char: '(U\\+[0-9A-F]{4,6}|<EOF>|\'"\'|"[\\s\\S]*")',
};

/** A name the client wrote raw (an object key, an enum value, an operation name): may hold anything. */
const RAW_NAME = 'rawName';

interface Template {
  readonly regex: RegExp;
  readonly holes: readonly Hole[];
  /** When set, the message is this template, then "; ", then a message matching one of INNER. */
  readonly inner?: boolean;
}

/**
 * Compiles `Variable "${name}" got invalid value ${value}` into an anchored regex whose groups are the
 * holes. `${rawName}` is a name the client wrote raw, so it may contain anything; it is vetted like a name.
 * A trailing `; ${inner}` is not part of the regex: matchTemplates splits the message there itself.
 */
function template(text: string): Template {
  const inner = text.endsWith('; ${inner}');
  const head = inner ? text.slice(0, -'; ${inner}'.length) : text;
  const holes: Hole[] = [];
  let source = '';
  head.split(/\$\{(\w+)\}/).forEach((part, i) => {
    if (i % 2 === 0) {
      source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return;
    }
    const hole = (part === RAW_NAME ? 'name' : part) as Hole;
    const pattern = part === RAW_NAME ? HOLE_PATTERNS.value : HOLE_PATTERNS[hole];
    if (pattern === undefined) throw new Error(`unknown template hole \${${part}}`);
    source += pattern;
    holes.push(hole);
  });
  return { regex: new RegExp(`^${source}$`, 'd'), holes, inner };
}

/** Messages that follow "; " inside another: coercion and scalar errors (graphql-js 16). */
const INNER: readonly Template[] = [
  'Expected non-nullable type "${name}" not to be null.',
  'Expected type "${name}" to be an object.',
  'Field "${name}" of required type "${name}" was not provided.',
  'Field "${rawName}" is not defined by type "${name}".${suggestions}',
  'Exactly one key must be specified for OneOf type "${name}".',
  'Field "${rawName}" must be non-null.',
  'Int cannot represent non-integer value: ${value}',
  'Int cannot represent non 32-bit signed integer value: ${value}',
  'Float cannot represent non numeric value: ${value}',
  'String cannot represent a non string value: ${value}',
  'Boolean cannot represent a non boolean value: ${value}',
  'ID cannot represent value: ${value}',
  'ID cannot represent a non-string and non-integer value: ${value}',
  'Enum "${name}" cannot represent non-string value: ${value}.${suggestions}',
  'Enum "${name}" cannot represent non-enum value: ${value}.${suggestions}',
  'Value "${rawName}" does not exist in "${name}" enum.${suggestions}',
  'Expected type "${name}".',
  // A custom scalar that threw a plain Error: its words are unknown, so they go.
  'Expected type "${name}". ${value}',
].map(template);

/** Whole messages that quote client input, most specific first. */
const TEMPLATES: readonly Template[] = [
  // Variable coercion (BAD_USER_INPUT). The value and the path's keys are the client's, raw.
  'Variable "${name}" got invalid value ${value} at "${path}"; ${inner}',
  'Variable "${name}" got invalid value ${value}; ${inner}',
  'Variable "${name}" got invalid value ${value}',
  'Variable "${name}" of required type "${name}" was not provided.',
  'Variable "${name}" of non-null type "${name}" must not be null.',
  'Variable "${name}" expected value of type "${name}" which cannot be used as an input type.',
  // Argument coercion during execution (a nullable variable with a default, sent as null).
  'Argument "${name}" has invalid value ${value}.',
  'Argument "${name}" of required type "${name}" was not provided.',
  'Argument "${name}" of required type "${name}" was provided the variable "${name}" which was not provided a runtime value.',
  'Argument "${name}" of non-null type "${name}" must not be null.',
  // Literal values (GRAPHQL_VALIDATION_FAILED, ValuesOfCorrectTypeRule).
  'Expected value of type "${name}", found ${value}; ${inner}',
  'Expected value of type "${name}", found ${value}.',
  // The operation name comes from the request body, raw.
  'Unknown operation named "${rawName}".',
  // Parse errors: the lexer quotes the offending token's text, raw.
  'Syntax Error: Unexpected ${token}.',
  'Syntax Error: Expected ${expected}, found ${token}.',
  'Syntax Error: Unexpected character: ${char}.',
  'Syntax Error: Invalid character: ${char}.',
  'Syntax Error: Unexpected single quote character (\'), did you mean to use a double quote (")?',
  'Syntax Error: Invalid character within String: ${char}.',
  'Syntax Error: Invalid character escape sequence: ${value}.',
  'Syntax Error: Invalid Unicode escape sequence: ${value}.',
  'Syntax Error: Invalid number, expected digit but got: ${char}.',
  'Syntax Error: Invalid number, unexpected digit after 0: ${char}.',
]
  .map(template)
  // A custom scalar or a validation rule may report one of these on its own.
  .concat(INNER);

const PUNCTUATOR_TOKEN = /^(?:<EOF>|"(?:[!$&()[\]{}:=@|]|\.\.\.)")$/;
const SUGGESTED_NAME = /"([^"]*)"/g;

function renderHole(hole: Hole, text: string, names: ReadonlySet<string>): string {
  switch (hole) {
    case 'name':
      return isSchemaText(text, names) ? text : REDACTED;
    case 'value':
      return REDACTED;
    case 'path':
      return isSchemaText(text.replace(/\[\d+\]/g, ''), names) ? text : REDACTED;
    case 'suggestions': {
      const suggested = [...text.matchAll(SUGGESTED_NAME)].map((m) => m[1] ?? '');
      return suggested.every((s) => names.has(s)) ? text : '';
    }
    case 'token': {
      if (PUNCTUATOR_TOKEN.test(text)) return text;
      const kind = /^(Name|Int|Float|String|BlockString|Comment) "/.exec(text)?.[1];
      return kind ? `${kind} "${REDACTED}"` : REDACTED;
    }
    case 'expected':
      return text;
    case 'char':
      return /^(?:U\+[0-9A-F]{4,6}|<EOF>|'"')$/.test(text) ? text : `"${REDACTED}"`;
  }
}

/** How many "; " a message may hold before the split search gives up (each try is linear). */
const MAX_SPLITS = 8;

function rebuild(text: string, template: Template, names: ReadonlySet<string>): string | null {
  const match = template.regex.exec(text);
  if (!match?.indices) return null;
  let out = '';
  let last = 0;
  template.holes.forEach((hole, i) => {
    const span = match.indices?.[i + 1];
    if (!span) return;
    out += text.slice(last, span[0]) + renderHole(hole, text.slice(span[0], span[1]), names);
    last = span[1];
  });
  return out + text.slice(last);
}

/**
 * The message rebuilt from the first template it matches, or null. A value may itself contain "; ", so
 * for `…; ${inner}` templates every "; " is a candidate split, rightmost first; whichever split matches,
 * the output holds only fixed text, vetted names and "[redacted]".
 */
function matchTemplates(
  message: string,
  templates: readonly Template[],
  names: ReadonlySet<string>,
): string | null {
  for (const template of templates) {
    if (!template.inner) {
      const rebuilt = rebuild(message, template, names);
      if (rebuilt !== null) return rebuilt;
      continue;
    }
    let split = message.length;
    for (let tries = 0; tries < MAX_SPLITS; tries++) {
      split = message.lastIndexOf('; ', split - 1);
      if (split < 0) break;
      const head = rebuild(message.slice(0, split), template, names);
      if (head === null) continue;
      const inner = matchTemplates(message.slice(split + 2), INNER, names);
      if (inner !== null) return `${head}; ${inner}`;
    }
  }
  return null;
}

/** A quoted text, escapes honoured. */
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
/** Words after which graphql-js and Apollo print a value unquoted. */
const VALUE_MARKER = /\b(?:value:? |found |got:? |character: |sequence: |after 0: )/;
/** What follows a closing quote in graphql-js's wording; anything else means the quote was not a closing one. */
const AFTER_QUOTE = /[\s.,;:?!)\]]/;

/**
 * Layer 3. Quoted schema names are kept; at the first quoted text that is not one, or the first
 * value marker, the rest of the message becomes "[redacted]". With `keepGoing`, an unknown quoted text
 * is replaced and the scan goes on (for validation messages, whose quotes hold only lexical names).
 */
function cutAtFirstHazard(message: string, names: ReadonlySet<string>, keepGoing: boolean): string {
  let out = '';
  let last = 0;
  for (const match of message.matchAll(QUOTED)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const between = message.slice(last, start);
    const marker = VALUE_MARKER.exec(between);
    if (marker && !isNumberTail(message.slice(last + marker.index + marker[0].length))) {
      return out + between.slice(0, marker.index + marker[0].length) + REDACTED;
    }
    out += between;
    // "[redacted]" is this module's own output: scrubbing a scrubbed message changes nothing.
    const schemaText = match[1] === REDACTED || isSchemaText(match[1] ?? '', names);
    if (!schemaText && !keepGoing) return `${out}"${REDACTED}`;
    const next = message[end];
    if (next !== undefined && !AFTER_QUOTE.test(next)) return `${out}"${REDACTED}`;
    out += schemaText ? match[0] : `"${REDACTED}"`;
    last = end;
  }
  const rest = message.slice(last);
  if (rest.includes('"')) return `${out}${rest.slice(0, rest.indexOf('"'))}"${REDACTED}`;
  const marker = VALUE_MARKER.exec(rest);
  if (marker && !isNumberTail(rest.slice(marker.index + marker[0].length))) {
    return out + rest.slice(0, marker.index + marker[0].length) + REDACTED;
  }
  return out + rest;
}

/** "found 9." in graphql-armor's limits: a count, not client input. */
function isNumberTail(text: string): boolean {
  return /^\d+\.?$/.test(text);
}

/** Layer 1: replaces each of the request's secrets (requestSecrets gives every form of each) wherever it appears. */
export function redactSecrets(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets || secrets.length === 0) return text;
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The message as a client may see it and the log may keep it. `code` is the error's extensions.code. */
export function scrubMessage(message: string, code: string | undefined, scope: ScrubScope = {}): string {
  const names = scope.names ?? NO_NAMES;
  const text = redactSecrets(message, scope.secrets);
  if (text.length <= MAX_TEMPLATE_INPUT) {
    const rebuilt = matchTemplates(text, TEMPLATES, names);
    if (rebuilt !== null) return rebuilt;
  }
  return cutAtFirstHazard(text, names, code === 'GRAPHQL_VALIDATION_FAILED');
}

/** A response path or GraphQLError path: the client's aliases are its own names, and may be anything. */
export function scrubPath(
  path: ReadonlyArray<string | number> | undefined,
  scope: ScrubScope = {},
): Array<string | number> | undefined {
  const names = scope.names ?? NO_NAMES;
  return path?.map((key) => (typeof key === 'number' || names.has(key) ? key : REDACTED));
}

/** The minimum length of a request text worth replacing literally; shorter ones would mangle messages. */
const MIN_SECRET_LENGTH = 6;
/** A request can carry many strings; literal redaction is a backstop, so it is bounded. */
const MAX_SECRETS = 64;

/** The forms a string takes in messages: as sent, JSON-escaped (inspect, JSON), GraphQL-escaped (print). */
function formsOf(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  const graphql = json.replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [...new Set([text, json, graphql])];
}

/** A GraphQL string or block string literal, or a name; a broken document is scanned as far as it goes. */
const DOCUMENT_TEXT = /"""([\s\S]*?)"""|"((?:[^"\\\n]|\\.)*)"|([_A-Za-z][_0-9A-Za-z]*)/g;

export interface RequestTexts {
  /** The token, and any header value that carries one. */
  readonly tokens?: ReadonlyArray<string | null | undefined>;
  readonly query?: string;
  readonly operationName?: string | null;
  readonly variables?: unknown;
  readonly extensions?: unknown;
}

/**
 * The texts of one request that could be a secret and could be echoed in a message: the token, every
 * string and key of the variables and extensions, and every string literal and non-schema name of the
 * document. Schema names and short texts are left out (they are everywhere, and layer 2 handles them).
 */
export function requestSecrets(request: RequestTexts, names: ReadonlySet<string> = NO_NAMES): string[] {
  const found = new Set<string>();
  const add = (text: string) => {
    if (text.length >= MIN_SECRET_LENGTH && !names.has(text) && found.size < MAX_SECRETS) found.add(text);
  };
  for (const token of request.tokens ?? []) if (token) add(token);
  // A variables object's keys are the client's text too (`{"input": {"<password>": …}}`); the
  // extensions' keys are the protocol's (`persistedQuery`, `version`).
  const walk = (value: unknown, keys: boolean, depth: number) => {
    if (typeof value === 'string') return add(value);
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      if (keys && !Array.isArray(value)) add(key);
      walk(item, keys, depth + 1);
    }
  };
  walk(request.variables, true, 0);
  walk(request.extensions, false, 0);
  if (request.operationName) add(request.operationName);
  if (request.query) {
    for (const match of request.query.matchAll(DOCUMENT_TEXT)) {
      const text = match[1] ?? match[2] ?? match[3] ?? '';
      add(text);
      if (match[2] !== undefined) {
        try {
          add(JSON.parse(`"${match[2]}"`) as string);
        } catch {
          // Not a valid escape sequence: the text as written is already in the set.
        }
      }
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...found].flatMap(formsOf).sort((a, b) => b.length - a.length);
}

/** What the log keeps of an error: its type, scrubbed message and stack, a safe code, and its causes. */
export interface ScrubbedError {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string | number;
  readonly path?: Array<string | number>;
  readonly cause?: ScrubbedError;
}

/** V8's stack frame lines; a message line that merely starts with "at" is not one. */
const FRAME = /^ {4}at (?:.*\((?:.+:\d+:\d+|native|<anonymous>|index \d+)\)|[^\s()]+:\d+:\d+|<anonymous>)$/;
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_CAUSE_DEPTH = 3;

/** The stack's frames under a scrubbed first line. The original first line(s) carried the raw message. */
function scrubStack(stack: string, header: string, scope: ScrubScope): string {
  const lines = stack.split('\n');
  let first = lines.length;
  while (first > 0 && FRAME.test(lines[first - 1] ?? '')) first--;
  return redactSecrets([header, ...lines.slice(first)].join('\n'), scope.secrets);
}

function codeOf(error: object): string | number | undefined {
  const code =
    'code' in error
      ? error.code
      : 'extensions' in error && typeof error.extensions === 'object' && error.extensions !== null
        ? (error.extensions as { code?: unknown }).code
        : undefined;
  if (typeof code === 'number' && Number.isFinite(code)) return code;
  return typeof code === 'string' && SAFE_CODE.test(code) ? code : undefined;
}

/**
 * Any thrown value as the log may keep it. Only named fields are copied: an error's other own fields
 * (got's `options` with the token, GraphQLError's `source` with the document) never reach the log.
 */
export function scrubError(error: unknown, scope: ScrubScope = {}, depth = 0): ScrubbedError {
  if (!(error instanceof Error)) {
    const message =
      typeof error === 'string'
        ? error
        : typeof error === 'object' &&
            error !== null &&
            typeof (error as { message?: unknown }).message === 'string'
          ? (error as { message: string }).message
          : `a thrown ${error === null ? 'null' : typeof error}`;
    return { type: 'NonError', message: scrubMessage(message, undefined, scope) };
  }
  const type = error.name || error.constructor.name || 'Error';
  const code = codeOf(error);
  const message = scrubMessage(error.message, typeof code === 'string' ? code : undefined, scope);
  const header = message ? `${type}: ${message}` : type;
  const rawPath = (error as { path?: unknown }).path;
  const path = Array.isArray(rawPath) ? scrubPath(rawPath as Array<string | number>, scope) : undefined;
  const cause = error.cause ?? (error as { originalError?: unknown }).originalError;
  return {
    type,
    message,
    ...(typeof error.stack === 'string' ? { stack: scrubStack(error.stack, header, scope) } : {}),
    ...(code === undefined ? {} : { code }),
    ...(path ? { path } : {}),
    ...(cause !== undefined && cause !== error && depth < MAX_CAUSE_DEPTH
      ? { cause: scrubError(cause, scope, depth + 1) }
      : {}),
  };
}
