/**
 * The store's face, whichever database is behind it (SQLite or PostgreSQL): what the gateway, the
 * CLI, the CSP simulator and the tests hold. Everything that reads or writes is asynchronous, as a
 * database over the network needs.
 */
import type { BackendCall, MfaAuditLogDto, MfaBackend, Outcome } from '../mfa-backend.js';

export type StorePrincipalKind = 'user' | 'service-account';

/** Which database holds the store. */
export type StoreEngine = 'sqlite' | 'postgres';

/** A principal as admin tools see it; the password hash never leaves the store. */
export interface PrincipalRecord {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  /** Username of a user, client id of a service account. */
  readonly name: string;
  readonly hasPassword: boolean;
  readonly mfa: { readonly activated: boolean; readonly turnedOn: boolean; readonly deviceName?: string };
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Operations for people (CLI, seeding); they reject with `StoreAdminError` and a stable code. */
export interface StoreAdmin {
  addPrincipal(input: {
    kind: StorePrincipalKind;
    name: string;
    password?: string;
  }): Promise<PrincipalRecord>;
  listPrincipals(): Promise<PrincipalRecord[]>;
  countPrincipals(): Promise<number>;
  getPrincipal(name: string): Promise<PrincipalRecord>;
  removePrincipal(name: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  /** Enrols a device; with a device already enrolled, renames it (`MFA_DEVICE_NAME_UPDATE`). */
  activateDevice(name: string, deviceName: string): Promise<PrincipalRecord>;
  /** Removes the device, turning MFA off first when it was on (`MFA_DISABLE`, then `MFA_DEACTIVATION`). */
  deactivateDevice(name: string): Promise<PrincipalRecord>;
  mintToken(name: string, options?: { ttlSeconds?: number }): Promise<string>;
  /** Newest first, across every principal unless `name` is given. */
  readAudit(options?: { name?: string; limit?: number }): Promise<MfaAuditLogDto[]>;
}

export interface StoreBackend extends MfaBackend {
  readonly kind: 'store';
  readonly engine: StoreEngine;
  /** The SQLite file, or the PostgreSQL URL without its password: for logs and messages. */
  readonly location: string;
  readonly schemaVersion: number;
  /** Only the authentication step: who the token speaks for, or why not (the simulator uses it to order its answers). */
  authenticate(call: BackendCall): Promise<Outcome<{ readonly username: string }>>;
  readonly admin: StoreAdmin;
}
