/** The .graphql operation documents the tests send (the same files codegen types in test/generated). */
import { readFileSync } from 'node:fs';

const file = (name: string): string =>
  readFileSync(new URL(`../operations/${name}.graphql`, import.meta.url), 'utf8');

const MFA_ERROR_FIELDS = file('mfa-error-fields');

/** An operation as sent: its document, plus the shared fragment when it spreads it. */
const read = (name: string): string => {
  const operation = file(name);
  return operation.includes('...MfaErrorFields') ? `${operation}\n${MFA_ERROR_FIELDS}` : operation;
};

export const UPDATE_MY_MFA = read('update-my-mfa');
export const UPDATE_MY_MFA_DETAILS = read('update-my-mfa-details');
export const MY_MFA = read('my-mfa');
export const MY_MFA_AUDIT_LOG = read('my-mfa-audit-log');

/** A user token as CSP issues them (unsigned here: the gateway only reads claims, CSP verifies). */
export function userJwt(claims: Record<string, unknown> = {}): string {
  return fakeJwt({
    sub: 'vmwareid:1b2c',
    username: 'alice@example.com',
    acct: 'alice@example.com',
    domain: 'vmwareid',
    azp: 'csp_prd_gaz_internal_client_id',
    ...claims,
  });
}

/** A client-credentials token: no username, acct or domain; the client id in azp/cid. */
export function serviceAccountJwt(): string {
  return fakeJwt({ sub: ':my-app', azp: 'my-app', cid: 'my-app', context_name: 'org-1' });
}

export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part({ iat: 1, exp: 4_102_444_800, ...claims })}.c2lnbmF0dXJl`;
}
