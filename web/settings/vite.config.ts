/** Builds the reference MFA settings page into dist/settings, served by the gateway at /settings. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/settings/',
  // The page imports the kit by its package name, as an app would; here it is the kit's source.
  resolve: { alias: { 'csp-mfa-graphql/client': here('../../src/client/index.ts') } },
  build: { outDir: here('../../dist/settings'), emptyOutDir: true, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic' } },
});
