import { describe, expect, it } from '@jest/globals';
import { parse, validate } from 'graphql';
import { SANDBOX_DOCUMENT } from '../../src/plugins/landing-page.plugin.js';
import { buildMfaSchema } from '../../src/schema.js';

describe('the Sandbox landing page', () => {
  it('prefills operations that are valid against the served schema', () => {
    const errors = validate(buildMfaSchema().schema, parse(SANDBOX_DOCUMENT));
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(SANDBOX_DOCUMENT).toMatch(/mutation UpdateMyMfa/);
  });
});
