/**
 * Local access tokens for store mode: RS256 JWTs shaped like CSP's, signed with a key kept next to
 * the database. The store is the only authority for them, so it checks every one it is handed.
 */
import {
  generateKeyPair as generateKeyPairCallback,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT } from 'jose';
import { StoreOpenError } from './store-errors.js';
import { canonicalToken } from '../../auth/canonical-token.js';

const generateKeyPair = promisify(generateKeyPairCallback);

/** CSP's user tokens carry `<domain>:<uuid>` subjects; ours always use this domain. */
export const USER_DOMAIN = 'vmwareid';
/** The "login client" a CSP user token names in `azp`; ours is a fixed, recognisable value. */
export const STORE_LOGIN_CLIENT = 'csp-mfa-store-login';
const ALGORITHM = 'RS256';
// Verified tokens are remembered until they expire; bounded so a flood of distinct tokens cannot grow memory.
const VERIFIED_CACHE_SIZE = 10_000;

export type TokenPrincipal =
  | { readonly kind: 'user'; readonly id: string; readonly username: string }
  | { readonly kind: 'service-account'; readonly clientId: string };

/** Who a verified token speaks for: a user by id, or a service account by client id. */
export type TokenSubject =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'service-account'; readonly clientId: string };

export interface StoreTokensOptions {
  readonly keyPath: string;
  readonly issuer: string;
  /** The org id put in `context_name`. */
  readonly orgId: string;
  readonly ttlSeconds: number;
  readonly now: () => number;
}

export interface StoreTokens {
  /** Signs a token for the principal; `ttlSeconds` overrides the store default. */
  mint(principal: TokenPrincipal, ttlSeconds?: number): Promise<string>;
  /** The subject of a token we signed that has not expired, else null. Never throws for bad input. */
  verify(token: string): Promise<TokenSubject | null>;
}

interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

function keyFromPem(keyPath: string, pem: string): SigningKey {
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch (error) {
    throw new StoreOpenError(
      'STORE_KEY_INVALID',
      keyPath,
      `the file at ${keyPath} is not an RSA private key`,
      {
        cause: error,
      },
    );
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Creates the key on first start. Written to a temporary file and hard-linked into place, so two
 * processes starting together (server and CLI) never see a half-written key and agree on one winner.
 */
async function loadOrCreateKey(keyPath: string): Promise<SigningKey> {
  try {
    return keyFromPem(keyPath, await fs.readFile(keyPath, 'utf8'));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') {
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(
        'STORE_KEY_INVALID',
        keyPath,
        `cannot read the token signing key at ${keyPath}`,
        {
          cause: error,
        },
      );
    }
  }
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const temporary = `${keyPath}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
    await fs.link(temporary, keyPath).catch((error: unknown) => {
      if (errnoCode(error) !== 'EEXIST') throw error;
    });
  } catch (error) {
    const code = errnoCode(error);
    const readOnly = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
    throw new StoreOpenError(
      readOnly ? 'STORE_READ_ONLY' : 'STORE_KEY_INVALID',
      keyPath,
      `cannot create the token signing key at ${keyPath} (${code ?? 'unknown error'})`,
      { cause: error },
    );
  } finally {
    await fs.rm(temporary, { force: true });
  }
  return keyFromPem(keyPath, await fs.readFile(keyPath, 'utf8'));
}

function parseSubject(sub: unknown): TokenSubject | null {
  if (typeof sub !== 'string') return null;
  if (sub.startsWith(`${USER_DOMAIN}:`)) {
    const id = sub.slice(USER_DOMAIN.length + 1);
    return id ? { kind: 'user', id } : null;
  }
  if (sub.startsWith(':')) {
    const clientId = sub.slice(1);
    return clientId ? { kind: 'service-account', clientId } : null;
  }
  return null;
}

export async function createStoreTokens(options: StoreTokensOptions): Promise<StoreTokens> {
  const { keyPath, issuer, orgId, ttlSeconds, now } = options;
  const key = await loadOrCreateKey(keyPath);
  const kid = await calculateJwkThumbprint(await exportJWK(key.publicKey));
  const verified = new Map<string, { subject: TokenSubject; expiresAtMs: number }>();

  async function mint(principal: TokenPrincipal, ttl = ttlSeconds): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const claims =
      principal.kind === 'user'
        ? {
            username: principal.username,
            acct: principal.username,
            domain: USER_DOMAIN,
            azp: STORE_LOGIN_CLIENT,
            context_name: orgId,
            perms: ['csp:org_member'],
          }
        : { azp: principal.clientId, cid: principal.clientId, context_name: orgId };
    const subject = principal.kind === 'user' ? `${USER_DOMAIN}:${principal.id}` : `:${principal.clientId}`;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid })
      .setSubject(subject)
      .setIssuer(issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  async function verify(token: string): Promise<TokenSubject | null> {
    // One entry per token however its signature is spelled: respellings can neither miss the cache nor flood it.
    const cacheKey = canonicalToken(token);
    const cached = verified.get(cacheKey);
    if (cached) {
      if (cached.expiresAtMs > now()) return cached.subject;
      verified.delete(cacheKey);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [ALGORITHM],
        issuer,
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      const subject = parseSubject(payload.sub);
      if (!subject || typeof payload.exp !== 'number') return null;
      if (verified.size >= VERIFIED_CACHE_SIZE) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(cacheKey, { subject, expiresAtMs: payload.exp * 1000 });
      return subject;
    } catch {
      // Bad signature, wrong key, expired, malformed: all the same answer, and no detail that could leak the token.
      return null;
    }
  }

  return { mint, verify };
}
