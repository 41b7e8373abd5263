/** `labgym images build`: build the base image (debootstrap + docker import) when its recipe changed. */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../assets.js';
import { PrerequisiteError } from '../errors.js';
import { printJson } from './output.js';

export function registerImageCommands(program: Command): void {
  const images = program.command('images').description('build the images sandboxes run');
  images
    .command('build')
    .description('build labgym/base from Debian bookworm if its content hash is not built yet (needs root)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const script = `${PROJECT_ROOT}scripts/images/build-base.sh`;
      const run = promisify(execFile)('bash', [script], { maxBuffer: 1 << 20 });
      run.child.stderr?.pipe(process.stderr);
      const { stdout } = await run.catch((error: { stderr?: string }) => {
        throw new PrerequisiteError(`building the base image failed: see the messages above (${script})`, { cause: error });
      });
      const tag = stdout.trim().split('\n').pop();
      if (options.json) printJson({ base: tag });
      else console.log(tag);
    });
}
