/**
 * MFA_BACKEND_MODULE: loads a backend written by someone else, and checks what it got before the gateway
 * serves a single request with it. Every way this can go wrong is a `GatewayStartError` with one line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayStartError, quoteError } from '../gateway-start-error.js';
import { type MfaBackend, type MfaBackendContext } from './mfa-backend.js';

/** The export a backend module must have. */
export const BACKEND_FACTORY_EXPORT = 'createMfaBackend';

const METHODS = ['updateMfa', 'getMfaStatus', 'getMfaAudit', 'isReady', 'close'] as const;
/** `kind` goes into every log line about the backend: short and plain. */
const KIND_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * What is wrong with `value` as an MfaBackend, one phrase per problem; empty when nothing is. Used for
 * a module's backend and for one handed to createGateway from JavaScript, where no type checked it.
 */
export function backendProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`it is ${value === null ? 'null' : typeof value}`];
  const candidate = value as Record<string, unknown>;
  const missing = METHODS.filter((name) => typeof candidate[name] !== 'function');
  const problems = missing.length > 0 ? [`no method ${missing.join(', ')}`] : [];
  if (typeof candidate.kind !== 'string' || !KIND_PATTERN.test(candidate.kind)) {
    problems.push('its kind must be a short name (lowercase letters, digits and -, at most 32)');
  }
  return problems;
}

/** Imports the module, calls its factory and checks the result. */
export async function loadBackendModule(specifier: string, context: MfaBackendContext): Promise<MfaBackend> {
  const label = `MFA_BACKEND_MODULE '${specifier}'`;
  const isPath = path.isAbsolute(specifier);
  if (isPath ? !existsSync(specifier) : !isResolvable(specifier)) {
    throw new GatewayStartError(
      'BACKEND_MODULE_NOT_FOUND',
      isPath
        ? `${label}: no such file.`
        : `${label}: no such package where the gateway is installed (a path must start with ./, ../ or /).`,
    );
  }

  let exports: Record<string, unknown>;
  try {
    exports = (await import(isPath ? pathToFileURL(specifier).href : specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new GatewayStartError('BACKEND_MODULE_FAILED', `${label} failed to load: ${quoteError(error)}`, {
      cause: error,
    });
  }

  const factory = exports[BACKEND_FACTORY_EXPORT];
  if (typeof factory !== 'function') {
    const names = Object.keys(exports).sort();
    throw new GatewayStartError(
      'BACKEND_INVALID',
      `${label} has no ${BACKEND_FACTORY_EXPORT} function export (it exports: ${names.length > 0 ? names.join(', ') : 'nothing'}).`,
    );
  }

  let backend: unknown;
  try {
    backend = await (factory as (context: MfaBackendContext) => unknown)(context);
  } catch (error) {
    throw new GatewayStartError(
      'BACKEND_MODULE_FAILED',
      `${label}: ${BACKEND_FACTORY_EXPORT} failed: ${quoteError(error)}`,
      { cause: error },
    );
  }
  const problems = backendProblems(backend);
  if (problems.length > 0) {
    throw new GatewayStartError(
      'BACKEND_INVALID',
      `${label}: ${BACKEND_FACTORY_EXPORT} returned no MfaBackend: ${problems.join('; ')}.`,
    );
  }
  return backend as MfaBackend;
}

/**
 * Resolution from the gateway's own location: a package installed next to it (in the same node_modules,
 * or above) is found; a bare name that is not there is told apart from a module that is there but fails.
 */
function isResolvable(specifier: string): boolean {
  // Jest's module runtime has no import.meta.resolve; there the import's own failure tells.
  if (typeof import.meta.resolve !== 'function') return true;
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
