/**
 * An MFA backend of someone else's, written only against the package's public API: principals, their
 * MFA state and audit trail in memory, with opaque random tokens. It passes the conformance kit, so the
 * gateway answers on it exactly as on CSP or the embedded store. Nothing is persisted: a restart
 * forgets everything. Load it with MFA_BACKEND_MODULE=<path to the built in-memory-backend.js>.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import {
  fail,
  parseAuditQuery,
  succeed,
  type BackendCall,
  type MfaAuditAction,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
  type MfaBackend,
  type MfaBackendFactory,
  type MfaFailureCode,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from 'csp-mfa-graphql';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

interface Principal {
  /** New for every principal, so a token minted before a removal never finds a principal added later. */
  readonly id: string;
  readonly name: string;
  readonly kind: 'user' | 'service-account';
  readonly salt: Buffer;
  readonly passwordHash: Buffer | null;
  activated: boolean;
  turnedOn: boolean;
  deviceName?: string;
  /** Newest last. */
  readonly events: MfaAuditLogDto[];
}

interface IssuedToken {
  readonly principalId: string;
  readonly expiresAt: number;
}

/** The administrator's side: what a sign-up flow, an enrolment flow and a token issuer would do. */
export interface InMemoryDirectory {
  addUser(username: string, password: string): Promise<void>;
  addServiceAccount(name: string): void;
  /** An authenticator app was enrolled: recorded as MFA_ACTIVATION; MFA stays as it was. */
  activateDevice(username: string, deviceName: string): void;
  removePrincipal(name: string): void;
  /** An opaque token for the principal, valid for `ttlMs` (30 minutes by default; negative: already expired). */
  mintToken(name: string, ttlMs?: number): string;
  /** The backend's side of the same data. */
  readonly backend: MfaBackend;
}

const TOKEN_TTL_MS = 30 * 60_000;

export function createInMemoryDirectory(now: () => number = Date.now): InMemoryDirectory {
  const principals = new Map<string, Principal>();
  const tokens = new Map<string, IssuedToken>();
  const byId = (id: string) => [...principals.values()].find((p) => p.id === id);

  const named = (name: string): Principal => {
    const principal = principals.get(name);
    if (!principal) throw new Error(`no principal named ${name}`);
    return principal;
  };

  const record = (principal: Principal, action: MfaAuditAction, modifiedBy: string) =>
    principal.events.push({
      action,
      details: principal.deviceName === undefined ? {} : { deviceName: principal.deviceName },
      eventDate: now(),
      eventId: randomUUID(),
      modifiedBy,
      username: principal.name,
    });

  const refuse = <T>(code: MfaFailureCode, call: BackendCall): Outcome<T> =>
    fail({ code, requestId: call.requestId });

  /** The user a call's token stands for, or why there is none. */
  function authenticate(call: BackendCall): Outcome<Principal> {
    const issued = tokens.get(call.token);
    if (!issued || issued.expiresAt <= now()) return refuse('UNAUTHENTICATED', call);
    const principal = byId(issued.principalId);
    if (!principal) return refuse('NOT_FOUND', call);
    if (principal.kind !== 'user') return refuse('SERVICE_ACCOUNT_NOT_ALLOWED', call);
    return succeed(principal);
  }

  async function passwordMatches(principal: Principal, password: string): Promise<boolean> {
    if (!principal.passwordHash) return false;
    const hash = await scryptAsync(password, principal.salt, principal.passwordHash.length);
    return timingSafeEqual(hash, principal.passwordHash);
  }

  const backend: MfaBackend = {
    kind: 'in-memory',

    async updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
      const auth = authenticate(call);
      if (!auth.ok) return auth;
      if (call.password.length === 0) return refuse('PASSWORD_REQUIRED', call);
      const matches = await passwordMatches(auth.value, call.password);
      // The hash took a while: the principal may have been removed meanwhile.
      const principal = byId(auth.value.id);
      if (!principal) return refuse('NOT_FOUND', call);
      if (!matches) {
        record(principal, 'MFA_AUTHENTICATION_FAILURE', principal.name);
        return refuse('WRONG_PASSWORD', call);
      }
      // Turning MFA on with nothing enrolled would lock the user out.
      if (call.turnedOn && !principal.activated) return refuse('CONFLICT', call);
      if (principal.turnedOn !== call.turnedOn) {
        principal.turnedOn = call.turnedOn;
        record(principal, call.turnedOn ? 'MFA_ENABLE' : 'MFA_DISABLE', principal.name);
      }
      return succeed({ turnedOn: principal.turnedOn });
    },

    async getMfaStatus(call: BackendCall): Promise<Outcome<MfaStatusDto>> {
      const auth = authenticate(call);
      if (!auth.ok) return auth;
      const { activated, turnedOn, name, deviceName } = auth.value;
      return succeed({
        activated,
        turnedOn,
        username: name,
        ...(deviceName === undefined ? {} : { deviceName }),
      });
    },

    async getMfaAudit(call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>> {
      const auth = authenticate(call);
      if (!auth.ok) return auth;
      // The package's rules for an audit query (CSP's, as documented): the same refusals as the store's.
      const parsed = parseAuditQuery(query, now());
      if (!parsed.ok)
        return fail({ code: 'INVALID_REQUEST', requestId: call.requestId, errorCode: parsed.problem });
      const q = parsed.query;
      const matching = auth.value.events
        .filter(
          (e) =>
            e.eventDate >= q.startDate &&
            e.eventDate <= q.endDate &&
            (!q.actions || q.actions.includes(e.action)) &&
            (!q.deviceNames ||
              (e.details.deviceName !== undefined && q.deviceNames.includes(e.details.deviceName))) &&
            (!q.eventIds || q.eventIds.includes(e.eventId)),
        )
        .reverse();
      return succeed({
        itemsPerPage: q.pageLimit,
        startIndex: q.pageStart,
        totalResults: matching.length,
        results: matching.slice(q.pageStart - 1, q.pageStart - 1 + q.pageLimit),
      });
    },

    async isReady() {
      return true;
    },

    async close() {
      tokens.clear();
    },
  };

  return {
    backend,
    async addUser(username, password) {
      if (principals.has(username)) throw new Error(`${username} exists`);
      const salt = randomBytes(16);
      const passwordHash = await scryptAsync(password, salt, 32);
      principals.set(username, {
        id: randomUUID(),
        name: username,
        kind: 'user',
        salt,
        passwordHash,
        activated: false,
        turnedOn: false,
        events: [],
      });
    },
    addServiceAccount(name) {
      if (principals.has(name)) throw new Error(`${name} exists`);
      principals.set(name, {
        id: randomUUID(),
        name,
        kind: 'service-account',
        salt: randomBytes(16),
        passwordHash: null,
        activated: false,
        turnedOn: false,
        events: [],
      });
    },
    activateDevice(username, deviceName) {
      const principal = named(username);
      principal.activated = true;
      principal.deviceName = deviceName;
      record(principal, 'MFA_ACTIVATION', 'directory-admin');
    },
    removePrincipal(name) {
      named(name);
      principals.delete(name);
    },
    mintToken(name, ttlMs = TOKEN_TTL_MS) {
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, { principalId: named(name).id, expiresAt: now() + ttlMs });
      return token;
    },
  };
}

/**
 * The process's one directory: the module is the database. Whoever imports this module (a seeding script,
 * the conformance test) and the gateway that loaded it through MFA_BACKEND_MODULE see the same data.
 */
export const directory: InMemoryDirectory = createInMemoryDirectory();

/** The factory MFA_BACKEND_MODULE looks for. */
export const createMfaBackend: MfaBackendFactory = (context) => {
  context.logger.info({ kind: directory.backend.kind }, 'in-memory MFA backend: nothing is persisted');
  return directory.backend;
};
