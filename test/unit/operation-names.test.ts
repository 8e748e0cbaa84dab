import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Kind, parse } from 'graphql';
import {
  createOperationNameBound,
  SHIPPED_OPERATION_NAMES,
} from '../../src/observability/operation-names.js';
import { SANDBOX_DOCUMENT } from '../../src/plugins/landing-page.plugin.js';

const operationNamesOf = (document: string): string[] =>
  parse(document).definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [],
  );

/** Every .graphql document the repository ships: the test operations and, where present, the client kit's. */
function shippedDocuments(): string[] {
  const dirs = ['../operations/', '../../src/client/documents/'].map((d) => new URL(d, import.meta.url));
  return dirs.flatMap((dir) => {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    } catch {
      return [];
    }
    return files.map((f) => readFileSync(new URL(f, dir), 'utf8'));
  });
}

describe('operation names in metrics and spans', () => {
  it('knows the name of every operation this repository ships', () => {
    const names = [...shippedDocuments(), SANDBOX_DOCUMENT].flatMap(operationNamesOf);
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) expect(SHIPPED_OPERATION_NAMES).toContain(name);
  });

  it("reports any other name as 'other', and no name as 'anonymous'", () => {
    const bound = createOperationNameBound();
    expect(bound('UpdateMyMfa')).toBe('UpdateMyMfa');
    expect(bound('pwCanary_0123456789abcdef')).toBe('other');
    expect(bound('updatemymfa')).toBe('other');
    expect(bound(undefined)).toBe('anonymous');
    expect(bound(null)).toBe('anonymous');
    expect(bound('')).toBe('anonymous');
  });

  it('takes names from GRAPHQL_OPERATION_NAMES too', () => {
    const bound = createOperationNameBound(['SettingsPageMfa']);
    expect(bound('SettingsPageMfa')).toBe('SettingsPageMfa');
    expect(bound('MyMfa')).toBe('MyMfa');
    expect(bound('Other')).toBe('other');
  });

  it("reads the client's operation out of a router's subgraph fetch name", () => {
    const bound = createOperationNameBound();
    expect(bound('UpdateMyMfa__mfa__0')).toBe('UpdateMyMfa');
    expect(bound('MyMfa__csp_mfa__12')).toBe('MyMfa');
    expect(bound('Secret__mfa__0')).toBe('other');
    expect(bound('UpdateMyMfa__mfa__x')).toBe('other');
  });
});
