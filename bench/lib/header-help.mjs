// The investigations' --help: their header comment ('// ' lines) is their documentation.
import { readFileSync } from 'node:fs';

/** Prints the '// ' comment lines of the file at `url` (pass import.meta.url), without the marker. */
export function printHeaderHelp(url) {
  const source = readFileSync(new URL(url), 'utf8').split('\n');
  console.log(
    source
      .filter((line) => line.startsWith('// '))
      .map((line) => line.slice(3))
      .join('\n'),
  );
}
