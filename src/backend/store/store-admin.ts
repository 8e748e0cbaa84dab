/**
 * Admin commands (the CLI, seeding), the same on every database: what a name or password may be,
 * which audit events an enrolment writes, and the typed refusals (`StoreAdminError`).
 */
import { randomUUID } from 'node:crypto';
import type { PasswordCheck } from './password-check.js';
import { hashPassword, isHashablePassword, MAX_PASSWORD_LENGTH } from './password-hash.js';
import { checkNewName, lookupName, MAX_DEVICE_NAME_LENGTH, MAX_NAME_LENGTH } from './principal-name.js';
import type { PrincipalRow, StoreDriver, StoreSteps } from './store-driver.js';
import { StoreAdminError } from './store-errors.js';
import { StoreLockTimeout } from './store-lock.js';
import type { StoreSettings } from './store-options.js';
import { newAuditEvent, toAuditDto, toRecord } from './store-outcomes.js';
import type { StoreTokens } from './store-tokens.js';
import type { StoreAdmin } from './store-types.js';

export function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || !isHashablePassword(value)) {
    throw new StoreAdminError(
      'INVALID_INPUT',
      `a password must have 1 to ${MAX_PASSWORD_LENGTH} characters and no NUL`,
    );
  }
  return value;
}

const notFound = (): StoreAdminError =>
  new StoreAdminError('PRINCIPAL_NOT_FOUND', 'no principal with that name');

export function createStoreAdmin(
  driver: StoreDriver,
  tokens: StoreTokens,
  passwords: PasswordCheck,
  settings: StoreSettings,
): StoreAdmin {
  const { now, scryptParams, adminActor } = settings;

  const requireOpen = (): void => {
    if (!driver.isOpen()) throw new StoreAdminError('STORE_CLOSED', 'the MFA store is closed');
  };

  /** Runs one command's steps, with one lock-wait budget; a lock or an outage becomes a typed refusal. */
  async function command<R>(work: (steps: StoreSteps) => Promise<R>): Promise<R> {
    requireOpen();
    try {
      return await work(driver.steps());
    } catch (error) {
      if (error instanceof StoreLockTimeout) {
        throw new StoreAdminError(
          'STORE_LOCKED',
          'the MFA store is locked by another connection (a store command, a database shell, a backup); try again once it lets go',
        );
      }
      if (!(error instanceof StoreAdminError) && driver.isOpen() && driver.isUnavailable(error)) {
        throw new StoreAdminError(
          'STORE_UNAVAILABLE',
          `the MFA store at ${driver.location} cannot be reached`,
        );
      }
      throw error;
    }
  }

  async function rowByName(steps: StoreSteps, name: string): Promise<PrincipalRow> {
    const key = lookupName(name, 'a principal name', MAX_NAME_LENGTH);
    const row = await steps.principalByName(key);
    if (!row) throw notFound();
    return row;
  }

  async function userByName(steps: StoreSteps, name: string): Promise<PrincipalRow> {
    const row = await rowByName(steps, name);
    if (row.kind !== 'user')
      throw new StoreAdminError('NOT_A_USER', 'service accounts have no password or MFA device');
    return row;
  }

  return {
    async addPrincipal(input) {
      requireOpen();
      if (input.kind !== 'user' && input.kind !== 'service-account') {
        throw new StoreAdminError('INVALID_INPUT', 'kind must be user or service-account');
      }
      const name = checkNewName(
        input.name,
        input.kind === 'user' ? 'a username' : 'a client id',
        MAX_NAME_LENGTH,
      );
      if (input.kind === 'service-account' && input.password !== undefined) {
        throw new StoreAdminError('NOT_A_USER', 'service accounts have no password');
      }
      const hash =
        input.password === undefined ? null : await hashPassword(checkPassword(input.password), scryptParams);
      return command(async (steps) => {
        const id = randomUUID();
        const inserted = await steps.insertPrincipal({
          id,
          kind: input.kind,
          name,
          passwordHash: hash,
          at: now(),
        });
        if (!inserted) throw new StoreAdminError('PRINCIPAL_EXISTS', 'a principal with that name exists');
        const row = await steps.principalById(id);
        if (!row) throw notFound();
        return toRecord(row);
      });
    },
    listPrincipals: () => command(async (steps) => (await steps.listPrincipals()).map(toRecord)),
    countPrincipals: () => command((steps) => steps.countPrincipals()),
    getPrincipal: (name) => command(async (steps) => toRecord(await rowByName(steps, name))),
    removePrincipal: (name) =>
      command(async (steps) => {
        const { id } = await rowByName(steps, name);
        await steps.deletePrincipal(id);
        passwords.forget();
      }),
    async setPassword(name, password) {
      const { id } = await command((steps) => userByName(steps, name));
      const hash = await hashPassword(checkPassword(password), scryptParams);
      await command((steps) => steps.setPasswordHash(id, hash, now()));
    },
    async activateDevice(name, deviceName) {
      const device = checkNewName(deviceName, 'a device name', MAX_DEVICE_NAME_LENGTH);
      return command(async (steps) => {
        const { id } = await userByName(steps, name);
        return steps.changePrincipal(id, null, (row) => {
          if (!row) throw notFound();
          if (row.activated && row.deviceName === device) return { result: toRecord(row) };
          const at = now();
          const state = { activated: true, turnedOn: row.turnedOn, deviceName: device, updatedAt: at };
          const action = row.activated ? 'MFA_DEVICE_NAME_UPDATE' : 'MFA_ACTIVATION';
          return {
            result: toRecord({ ...row, ...state }),
            state,
            events: [newAuditEvent(row, action, device, adminActor, at)],
          };
        });
      });
    },
    deactivateDevice: (name) =>
      command(async (steps) => {
        const { id } = await userByName(steps, name);
        return steps.changePrincipal(id, null, (row) => {
          if (!row) throw notFound();
          if (!row.turnedOn && !row.activated) return { result: toRecord(row) };
          const at = now();
          const state = { activated: false, turnedOn: false, deviceName: null, updatedAt: at };
          return {
            result: toRecord({ ...row, ...state }),
            state,
            events: [
              ...(row.turnedOn ? [newAuditEvent(row, 'MFA_DISABLE', row.deviceName, adminActor, at)] : []),
              ...(row.activated
                ? [newAuditEvent(row, 'MFA_DEACTIVATION', row.deviceName, adminActor, at)]
                : []),
            ],
          };
        });
      }),
    async mintToken(name, options) {
      const row = await command((steps) => rowByName(steps, name));
      const ttl = options?.ttlSeconds;
      if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 1)) {
        throw new StoreAdminError(
          'INVALID_INPUT',
          'a token lifetime must be a positive whole number of seconds',
        );
      }
      return row.kind === 'user'
        ? tokens.mint({ kind: 'user', id: row.id, username: row.name }, ttl)
        : tokens.mint({ kind: 'service-account', clientId: row.name }, ttl);
    },
    readAudit(options) {
      return command(async (steps) => {
        const limit = options?.limit ?? 100;
        if (!Number.isSafeInteger(limit) || limit < 1)
          throw new StoreAdminError('INVALID_INPUT', 'limit must be positive');
        const id = options?.name === undefined ? null : (await rowByName(steps, options.name)).id;
        return (await steps.recentAudit(id, limit)).map(toAuditDto);
      });
    },
  };
}
