// Loaded with `node --import`: records in MODULE_PROBE_FILE every OpenTelemetry module the process loads,
// whether through import (the resolve hook, in the loader thread) or require (Module._load, here).
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.MODULE_PROBE_FILE;
if (!file) throw new Error('MODULE_PROBE_FILE is not set');
register(new URL('./module-probe-hooks.mjs', import.meta.url));

const load = Module._load;
Module._load = function probedLoad(request, parent, isMain) {
  if (request.includes('@opentelemetry/')) appendFileSync(file, `require ${request}\n`);
  return load.call(this, request, parent, isMain);
};
