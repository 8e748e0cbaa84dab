/** A 5-second smoke of scripts/soak.mjs (npm run soak runs it for 60 s); it needs the build, as npm test makes it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SOAK = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));

describe('the soak script', () => {
  it('drives the built gateway for 5 s with no errors and prints requests, errors and RSS', async () => {
    // The RSS bound is loose here: 5 s is mostly warm-up; the 60 s run holds the real bound.
    const child = spawn(process.execPath, [
      SOAK,
      '--seconds',
      '5',
      '--warmup',
      '2',
      '--connections',
      '16',
      '--max-growth-mb',
      '150',
    ]);
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    console.log(output);
    expect(code).toBe(0);
    expect(output).toMatch(/requests\s+\d+/);
    expect(output).toMatch(/errors\s+0 errors, 0 timeouts, 0 non-2xx, 0 untyped/);
    expect(output).toMatch(/RSS\s+start .* peak .* end/);
  });
});
