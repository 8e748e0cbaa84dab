/**
 * The store's RS256 signing key. Every gateway instance on one store must verify the tokens any of
 * them (or the CLI) minted, so the key lives with the data: a SQLite store keeps it in a file next to
 * the database (`<store>.jwt-key.pem`, 0600), a PostgreSQL store in its own database (`meta` row,
 * see postgres-statements.ts). Both are created on first start, with one winner when two start at once.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { StoreOpenError } from './store-errors.js';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A new 2048-bit RSA key as PKCS#8 PEM. */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Parses a PEM key; `where` names its home in the error (a path, or the database's location). */
export function signingKeyFromPem(pem: string, where: string, what = `the file at ${where}`): SigningKey {
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch (error) {
    throw new StoreOpenError('STORE_KEY_INVALID', where, `${what} is not an RSA private key`, {
      cause: error,
    });
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Reads the key file, creating it on first start. Written to a temporary file and hard-linked into
 * place, so two processes starting together (server and CLI) never see a half-written key and agree
 * on one winner.
 */
export async function loadOrCreateKeyFile(keyPath: string): Promise<SigningKey> {
  try {
    return signingKeyFromPem(await fs.readFile(keyPath, 'utf8'), keyPath);
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
  const pem = await generateSigningKeyPem();
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
  return signingKeyFromPem(await fs.readFile(keyPath, 'utf8'), keyPath);
}
