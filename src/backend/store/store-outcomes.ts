/**
 * Rows into the shapes callers see (the contract's failures, statuses and audit events, admin
 * records), and the audit events a change appends.
 */
import { randomUUID } from 'node:crypto';
import type {
  MfaAuditAction,
  MfaAuditLogDto,
  MfaFailure,
  MfaFailureCode,
  MfaStatusDto,
} from '../mfa-backend.js';
import type { AuditRow, NewAuditEvent, PrincipalRow } from './store-driver.js';
import type { PrincipalRecord } from './store-types.js';

/** A store failure carries our request id and, for a lockout or a held lock, when to try again. */
export const storeFailure = (
  code: MfaFailureCode,
  requestId: string,
  extra?: Partial<MfaFailure>,
): MfaFailure => ({ code, requestId, ...extra });

/** `UserMfaStatusDto` as CSP shapes it: no `deviceName` when none is enrolled. */
export function toStatus(row: PrincipalRow): MfaStatusDto {
  return {
    activated: row.activated,
    turnedOn: row.turnedOn,
    username: row.name,
    ...(row.deviceName === null ? {} : { deviceName: row.deviceName }),
  };
}

export function toAuditDto(row: AuditRow): MfaAuditLogDto {
  return {
    action: row.action,
    details: row.deviceName === null ? {} : { deviceName: row.deviceName },
    eventDate: row.eventDate,
    eventId: row.eventId,
    modifiedBy: row.modifiedBy,
    username: row.username,
  };
}

export function toRecord(row: PrincipalRow): PrincipalRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    hasPassword: row.passwordHash !== null,
    mfa: {
      activated: row.activated,
      turnedOn: row.turnedOn,
      ...(row.deviceName === null ? {} : { deviceName: row.deviceName }),
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An event to append for `row`, dated now, with a fresh id. */
export function newAuditEvent(
  row: PrincipalRow,
  action: MfaAuditAction,
  deviceName: string | null,
  modifiedBy: string,
  eventDate: number,
): NewAuditEvent {
  return {
    eventId: randomUUID(),
    principalId: row.id,
    username: row.name,
    action,
    eventDate,
    deviceName,
    modifiedBy,
  };
}
