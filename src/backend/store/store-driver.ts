/**
 * The seam between the store's rules and a database (SQLite, PostgreSQL): rows in, rows out, and one
 * locked read-decide-write transaction. A driver decides nothing; every rule (who may, what is
 * counted, what is written) lives in the shared modules, so both databases answer alike.
 */
import type { MfaAuditAction } from '../mfa-backend.js';
import type { StoreEngine, StorePrincipalKind } from './store-types.js';

/** A principal's MFA state as the database holds it. */
export interface MfaState {
  readonly activated: boolean;
  readonly turnedOn: boolean;
  readonly deviceName: string | null;
}

export interface PrincipalRow extends MfaState {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  readonly name: string;
  readonly passwordHash: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AuditRow {
  readonly eventId: string;
  readonly action: MfaAuditAction;
  readonly eventDate: number;
  readonly deviceName: string | null;
  readonly modifiedBy: string;
  readonly username: string;
}

/** One event to append; the trail keeps the username too, so it outlives a removed principal. */
export interface NewAuditEvent extends AuditRow {
  readonly principalId: string;
}

export interface NewPrincipal {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  readonly name: string;
  readonly passwordHash: string | null;
  readonly at: number;
}

/** A parsed audit request of one principal; null filters match everything. */
export interface AuditFilter {
  readonly principalId: string;
  readonly startDate: number;
  readonly endDate: number;
  readonly actions: readonly string[] | null;
  readonly deviceNames: readonly string[] | null;
  readonly eventIds: readonly string[] | null;
}

/** Which failure the lockout rule looks at: the `offset`-th newest (0-based) later than `since`. */
export interface FailureProbe {
  readonly since: number;
  readonly offset: number;
}

/** What a decision taken under the principal's row lock writes, and what it answers. */
export interface PrincipalChange<T> {
  readonly result: T;
  /** The new MFA state and its `updatedAt`; absent: the row stays as it is. */
  readonly state?: MfaState & { readonly updatedAt: number };
  /** Appended in this order, in the same transaction as the state. */
  readonly events?: readonly NewAuditEvent[];
}

/** Decides on the row as it is under the lock (undefined: gone), and the lockout probe's answer. */
export type ChangeDecision<T> = (
  row: PrincipalRow | undefined,
  failureDate: number | null,
) => PrincipalChange<T>;

/** The reads and writes one call or command may make. */
export interface StoreSteps {
  principalById(id: string): Promise<PrincipalRow | undefined>;
  principalByName(name: string): Promise<PrincipalRow | undefined>;
  /** Ordered by name. */
  listPrincipals(): Promise<PrincipalRow[]>;
  countPrincipals(): Promise<number>;
  /** Resolves false, writing nothing, when the name is taken. */
  insertPrincipal(principal: NewPrincipal): Promise<boolean>;
  deletePrincipal(id: string): Promise<void>;
  setPasswordHash(id: string, hash: string, at: number): Promise<void>;
  /** The event date `probe` names among the principal's MFA_AUTHENTICATION_FAILURE events, or null. */
  failureDate(principalId: string, probe: FailureProbe): Promise<number | null>;
  /**
   * One transaction: lock the principal's row (so changes to one principal serialise across every
   * connection and process), read it and, when `probe` is given, its failure date; let `decide`
   * choose; write the change and its events; commit. Whatever `decide` throws rolls it all back.
   */
  changePrincipal<T>(id: string, probe: FailureProbe | null, decide: ChangeDecision<T>): Promise<T>;
  /** One consistent read: how many events match, and the page of them, newest first. */
  auditPage(filter: AuditFilter, limit: number, offset: number): Promise<{ total: number; rows: AuditRow[] }>;
  /** Newest first, of one principal, or of all with null. */
  recentAudit(principalId: string | null, limit: number): Promise<AuditRow[]>;
}

export interface StoreDriver {
  readonly engine: StoreEngine;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly schemaVersion: number;
  isOpen(): boolean;
  /**
   * Steps for one contract call or one admin command. A lock another connection holds is waited
   * out for `lockWaitMs` (SQLite: one budget for all the steps, on timers, and `onWait` hears once
   * that a step met the lock; PostgreSQL: `lock_timeout` per statement), then `StoreLockTimeout`.
   */
  steps(onWait?: () => void): StoreSteps;
  /** A fault meaning "the database cannot serve now" (unreachable, shutting down, contended), not a bug. */
  isUnavailable(error: unknown): boolean;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
