/**
 * The logger scrubs every line on its way out, whoever writes it and however: an error under `err` or
 * under any other key, an error as the first argument, a message string built from an error (as Apollo's
 * own log lines are), a non-Error thrown value. A scoped logger also replaces one request's secrets.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { GraphQLError, Source } from 'graphql';
import { createLogger, scopedLogger, type Logger } from '../../src/logging/logger.js';
import { buildMfaSchema } from '../../src/schema.js';
import { collectSchemaNames } from '../../src/logging/schema-names.js';

const names = collectSchemaNames(buildMfaSchema().schema);
const PASSWORD = 'pw"; at "x\\ secret';
const TOKEN = 'eyJ.token.signature';

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), lines };
}

/** What graphql-js throws for an inline password, with the document (and the password) as its source. */
function coercionError(): GraphQLError {
  const document = `mutation { updateMyMfa(input: {password: ${JSON.stringify(PASSWORD)}, turnedOn: $t}) { __typename } }`;
  return new GraphQLError(
    `Argument "input" has invalid value {password: ${JSON.stringify(PASSWORD)}, turnedOn: $t}.`,
    { source: new Source(document), positions: [30] },
  );
}

const leaked = (lines: string[]) =>
  lines.filter((line) => line.includes('secret') || line.includes(TOKEN) || line.includes('signature'));

describe('createLogger', () => {
  it('scrubs errors logged under err, under other keys, nested, or as the first argument', () => {
    const { logger, lines } = capture();
    const error = coercionError();
    logger.error({ err: error }, 'under err');
    logger.error({ error }, 'under another key');
    logger.warn({ details: { cause: error, list: [error] } }, 'nested');
    logger.error(error);
    logger.error({ err: new Error('outer', { cause: error }) }, 'as a cause');
    expect(lines).toHaveLength(5);
    expect(leaked(lines)).toEqual([]);
    for (const line of lines) expect(line).toContain('[redacted]');
    // The document (GraphQLError's source) is not copied into the log.
    expect(lines.join('\n')).not.toContain('updateMyMfa(input');
  });

  it("scrubs message strings built from errors, as Apollo's own log lines are", () => {
    const { logger, lines } = capture();
    logger.error(`Unexpected error processing request: ${coercionError().toString()}`);
    logger.warn('Could not store validated document. %s', coercionError().message);
    expect(lines).toHaveLength(2);
    expect(leaked(lines)).toEqual([]);
  });

  it('keeps only named fields of an error: never its options, headers or body', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('Response code 500 (Internal Server Error)'), {
      code: 'ERR_NON_2XX_3XX_RESPONSE',
      options: { headers: { 'csp-auth-token': TOKEN } },
      response: { body: PASSWORD },
    });
    logger.error({ err: error }, 'CSP call failed');
    logger.error({ err: `thrown string ${JSON.stringify(PASSWORD)}` }, 'a thrown string');
    expect(leaked(lines)).toEqual([]);
    expect(lines[0]).toContain('"code":"ERR_NON_2XX_3XX_RESPONSE"');
  });
});

describe('scopedLogger', () => {
  it("replaces the request's secrets wherever they appear, and keeps the schema's names", () => {
    const { logger, lines } = capture();
    const scoped = scopedLogger(logger, { requestId: 'r-1' }, { names, secrets: [PASSWORD, TOKEN] });
    scoped.error({ err: new Error(`boom ${PASSWORD} ${TOKEN}`) }, `failed for ${TOKEN}`);
    scoped.error({ err: coercionError() }, 'coercion');
    expect(leaked(lines)).toEqual([]);
    expect(lines[0]).toContain('"requestId":"r-1"');
    expect(lines[1]).toContain('Argument \\"input\\" has invalid value [redacted].');
  });
});
