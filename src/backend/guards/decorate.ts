/**
 * The one place that knows how a guard wraps a backend: it names only the methods it changes, and
 * everything else (including `kind`, readiness and closing) passes through to the backend it wraps.
 */
import { type MfaBackend } from '../mfa-backend.js';

export type GuardOverrides = Partial<
  Pick<MfaBackend, 'updateMfa' | 'getMfaStatus' | 'getMfaAudit' | 'close'>
>;

export function decorate(backend: MfaBackend, overrides: GuardOverrides): MfaBackend {
  return {
    kind: backend.kind,
    updateMfa: overrides.updateMfa ?? ((call) => backend.updateMfa(call)),
    getMfaStatus: overrides.getMfaStatus ?? ((call) => backend.getMfaStatus(call)),
    getMfaAudit: overrides.getMfaAudit ?? ((call, query) => backend.getMfaAudit(call, query)),
    isReady: () => backend.isReady(),
    close: overrides.close ?? (() => backend.close()),
  };
}
