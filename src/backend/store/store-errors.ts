/**
 * Typed failures of the embedded store's own machinery (opening the file, admin commands).
 * Callers branch on `code`, never on message text; messages never carry a password or token.
 */

export type StoreErrorCode =
  /** The file is not a SQLite database, or its pages are damaged. */
  | 'STORE_CORRUPT'
  /** The file or its folder cannot be written (permissions, read-only mount, immutable file). */
  | 'STORE_READ_ONLY'
  /** The file cannot be opened or created at all (bad path, a folder in the way, locked for too long). */
  | 'STORE_UNAVAILABLE'
  /** The file was written by a newer version of this program; we refuse to guess its layout. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** The token signing key next to the database cannot be read or is not a key. */
  | 'STORE_KEY_INVALID'
  /** Another process (a store command, a sqlite3 shell, a backup) held the lock for longer than we wait. */
  | 'STORE_LOCKED'
  /** The store was already closed. */
  | 'STORE_CLOSED'
  | 'PRINCIPAL_EXISTS'
  | 'PRINCIPAL_NOT_FOUND'
  /** The operation only makes sense for a user (service accounts have no password or MFA device). */
  | 'NOT_A_USER'
  | 'INVALID_INPUT';

/** Base of every store error; `cause` keeps the driver's original error for logs. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** The database or its signing key could not be opened; `main` prints the message and exits non-zero. */
export class StoreOpenError extends StoreError {
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreOpenError';
    this.path = path;
  }
}

/** An admin operation (CLI, seeding) was refused: unknown principal, duplicate name, invalid input. */
export class StoreAdminError extends StoreError {
  constructor(code: StoreErrorCode, message: string) {
    super(code, message);
    this.name = 'StoreAdminError';
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
