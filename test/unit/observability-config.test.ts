import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';

const observabilityOf = (env: Record<string, string>, argv: string[] = []) => {
  const result = loadConfig(env, argv);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.observability;
};

const errorsOf = (env: Record<string, string>) => {
  const result = loadConfig(env);
  return result.ok ? [] : result.errors;
};

describe('observability settings', () => {
  it('serves metrics on the main port, with no extra operation names and tracing off, by default', () => {
    expect(observabilityOf({})).toEqual({
      metrics: { enabled: true },
      operationNames: [],
      tracing: { enabled: false },
    });
  });

  it('moves metrics to a port of their own, or turns them off', () => {
    expect(observabilityOf({ METRICS_PORT: '9464' }).metrics).toEqual({ enabled: true, port: 9464 });
    expect(observabilityOf({}, ['--metrics-port', '0']).metrics).toEqual({ enabled: true, port: 0 });
    expect(observabilityOf({ METRICS_PORT: 'off' }).metrics).toEqual({ enabled: false });
    expect(observabilityOf({ METRICS_PORT: 'main' }).metrics).toEqual({ enabled: true });
  });

  it('refuses a METRICS_PORT that is neither main, off nor a port', () => {
    expect(errorsOf({ METRICS_PORT: '70000' })).toEqual([expect.stringContaining('METRICS_PORT')]);
    expect(errorsOf({ METRICS_PORT: 'yes' })).toEqual([expect.stringContaining('METRICS_PORT')]);
  });

  it('reads GRAPHQL_OPERATION_NAMES as GraphQL names only', () => {
    expect(observabilityOf({ GRAPHQL_OPERATION_NAMES: 'SettingsPage, Profile_2' }).operationNames).toEqual([
      'SettingsPage',
      'Profile_2',
    ]);
    expect(errorsOf({ GRAPHQL_OPERATION_NAMES: 'Good,not-a-name' })).toEqual([
      expect.stringContaining('GRAPHQL_OPERATION_NAMES'),
    ]);
    const many = Array.from({ length: 201 }, (_, i) => `Op${i}`).join(',');
    expect(errorsOf({ GRAPHQL_OPERATION_NAMES: many })).toEqual([expect.stringContaining('at most 200')]);
  });

  it('turns tracing on when any OTEL_* variable is set, unless the SDK or the trace exporter is disabled', () => {
    expect(observabilityOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing.enabled).toBe(
      true,
    );
    expect(observabilityOf({ OTEL_SERVICE_NAME: 'mfa' }).tracing.enabled).toBe(true);
    expect(observabilityOf({ OTEL_SERVICE_NAME: ' ' }).tracing.enabled).toBe(false);
    expect(observabilityOf({ OTEL_SERVICE_NAME: 'mfa', OTEL_SDK_DISABLED: 'TRUE' }).tracing.enabled).toBe(
      false,
    );
    expect(observabilityOf({ OTEL_SERVICE_NAME: 'mfa', OTEL_TRACES_EXPORTER: 'none' }).tracing.enabled).toBe(
      false,
    );
    expect(observabilityOf({ NOT_OTEL_SERVICE_NAME: 'mfa' }).tracing.enabled).toBe(false);
  });
});
