import DataLoader from 'dataloader';
import {
  type BackendCall,
  type MfaBackend,
  type MfaStatusDto,
  type Outcome,
} from '../backend/mfa-backend.js';

/** The only key: a request has one caller, so every selection of the status shares one upstream GET. */
export const SELF = 'self';

export type MfaStatusLoader = DataLoader<typeof SELF, Outcome<MfaStatusDto>>;

/**
 * A new loader per request, bound to that request's token: never shared between requests or tokens.
 * Failures are cached as outcomes too, so a failing GET is not repeated within the request.
 */
export function createMfaStatusLoader(backend: MfaBackend, call: BackendCall): MfaStatusLoader {
  return new DataLoader<typeof SELF, Outcome<MfaStatusDto>>(async (keys) => {
    const outcome = await backend.getMfaStatus(call);
    return keys.map(() => outcome);
  });
}
