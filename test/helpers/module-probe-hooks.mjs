// The loader-thread half of module-probe.mjs: every resolved OpenTelemetry URL goes to MODULE_PROBE_FILE.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes('/node_modules/@opentelemetry/')) {
    appendFileSync(process.env.MODULE_PROBE_FILE, `import ${resolved.url}\n`);
  }
  return resolved;
}
