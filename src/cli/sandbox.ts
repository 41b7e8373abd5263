/** `labgym sandbox gc`: remove sandboxes left behind by crashed labgym processes. */

import type { Command } from 'commander';
import { DEFAULT_SANDBOX_BACKEND, sandboxBackend } from '../sandbox/index.js';
import { printJson } from './output.js';

export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description('manage sandboxes');
  sandbox
    .command('gc')
    .description('remove labgym sandboxes whose owner process is gone (all of them with --all)')
    .option('--all', 'also remove containers of running labgym processes')
    .option('--backend <name>', 'sandbox backend', DEFAULT_SANDBOX_BACKEND)
    .option('--json', 'print the result as JSON')
    .action(async (options: { all?: boolean; backend: string; json?: boolean }) => {
      const removed = await (await sandboxBackend(options.backend)).cleanup({ all: options.all });
      if (options.json) printJson({ removed });
      else console.log(removed.length ? `removed ${removed.length} sandbox(es): ${removed.map((id) => id.slice(0, 12)).join(' ')}` : 'nothing to remove');
    });
}
