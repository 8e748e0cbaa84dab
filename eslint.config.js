import tseslint from 'typescript-eslint';

/**
 * "One way in for each outside thing": each of these packages may be imported only by the files that
 * own it, so the next import of got or pino from anywhere else fails the lint, not a review.
 */
const OWNERS = {
  got: ['src/backend/csp/csp-mfa.client.ts'],
  'graphql-shield': ['src/auth/permissions.ts'],
  'graphql-middleware': ['src/auth/permissions.ts'],
  pino: ['src/logging/logger.ts'],
  'better-sqlite3': ['src/backend/store/**'],
  pg: ['src/backend/store/**'],
  ioredis: ['src/backend/guards/attempt-limiter.ts'],
  'rate-limiter-flexible': ['src/backend/guards/attempt-limiter.ts'],
  jose: ['src/auth/token-verifier.ts', 'src/backend/store/store-tokens.ts'],
  'prom-client': ['src/observability/metrics.ts'],
  // Loaded only when tracing is configured: everything else sees the Tracing interface (tracing.ts).
  '@opentelemetry/api': ['src/observability/otel-tracing.ts', 'src/plugins/tracing.plugin.ts'],
  '@opentelemetry/sdk-node': ['src/observability/otel-tracing.ts', 'src/plugins/tracing.plugin.ts'],
  // Forking and the worker pool are the process entry's business (WORKERS); nothing else starts processes.
  'node:cluster': ['src/main.ts', 'src/worker-pool.ts'],
  cluster: ['src/main.ts', 'src/worker-pool.ts'],
};

/** Process entries: the only files that may touch `process` (config gets the environment from main). */
const PROCESS_ENTRIES = ['src/main.ts', 'src/backend/store/cli.ts', 'src/backend/store/csp-sim.main.ts'];

const restrictedImports = (allowed = []) => [
  'error',
  {
    paths: Object.entries(OWNERS)
      .filter(([name]) => !allowed.includes(name))
      .map(([name, owners]) => ({ name, message: `Only ${owners.join(', ')} may import ${name}.` })),
  },
];

/** One block per owning file set, lifting only its own package from the list. */
const ownerBlocks = Object.entries(
  Object.entries(OWNERS).reduce((byFiles, [name, owners]) => {
    const key = owners.join('|');
    (byFiles[key] ??= []).push(name);
    return byFiles;
  }, {}),
).map(([files, names]) => ({
  files: files.split('|'),
  rules: { 'no-restricted-imports': restrictedImports(names) },
}));

const processMessage =
  'Only the process entries (src/main.ts, the CLI entries) touch process; config gets env from main.';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      'data/',
      'test/generated/',
      'src/client/generated/',
      'test-artifacts/',
      'bench/peer/',
      'bench/results/',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': restrictedImports() },
  },
  ...ownerBlocks,
  {
    files: ['src/**/*.ts'],
    ignores: PROCESS_ENTRIES,
    rules: {
      'no-console': 'error',
      'no-restricted-globals': ['error', { name: 'process', message: processMessage }],
      'no-restricted-modules': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^(node:)?process$/]',
          message: processMessage,
        },
      ],
    },
  },
);
