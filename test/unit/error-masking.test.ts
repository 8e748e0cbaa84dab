import { describe, expect, it } from '@jest/globals';
import { scrubMessage } from '../../src/logging/message-scrubbing.js';

describe('scrubMessage', () => {
  it('redacts every quoted token of a syntax error', () => {
    expect(scrubMessage('Syntax Error: Unexpected Name "hunter2".', 'GRAPHQL_PARSE_FAILED')).toBe(
      'Syntax Error: Unexpected Name "[redacted]".',
    );
  });

  it.each([
    ['Expected value of type "Boolean!", found "hunter2".'],
    ['Boolean cannot represent a non boolean value: "hunter2"'],
    [
      'Variable "$input" got invalid value "hunter2" at "input.turnedOn"; Boolean cannot represent a non boolean value: "hunter2"',
    ],
    [
      'Variable "$input" got invalid value { password: "hunter2" }; Field "turnedOn" of required type "Boolean!" was not provided.',
    ],
  ])('redacts the offending value in %j', (message) => {
    const redacted = scrubMessage(message, 'BAD_USER_INPUT');
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toContain('[redacted]');
  });
});
