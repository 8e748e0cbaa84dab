#!/usr/bin/env node
/** Entry of `npm run csp-sim`: wires `runCspSimulatorCommand` to this process and its signals. */
import { runCspSimulatorCommand } from './csp-sim-command.js';

const result = await runCspSimulatorCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});

if (result.kind === 'exit') {
  process.exitCode = result.code;
} else {
  const stop = (): void => {
    result.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
