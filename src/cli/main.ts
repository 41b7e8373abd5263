#!/usr/bin/env node
/** The `labgym` command line: registers the commands (one file each) and the error handler. */

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { PROJECT_ROOT } from '../assets.js';
import { registerBenchCommands } from './bench.js';
import { registerBenchExportCommand } from './bench-export.js';
import { registerEnvCommands } from './env.js';
import { registerExportCommand } from './export.js';
import { registerFilterCommand } from './filter.js';
import { registerGenerateCommand } from './generate.js';
import { registerImageCommands } from './images.js';
import { registerImportCommand } from './import.js';
import { reportError } from './output.js';
import { registerPolicyCommands } from './policy.js';
import { registerRunCommand } from './run.js';
import { registerSandboxCommands } from './sandbox.js';
import { registerSchemaCommand } from './schema.js';
import { registerScoreCommand } from './score.js';
import { registerShowCommand } from './show.js';
import { registerTaskCommands } from './tasks.js';

const { version } = JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, 'utf8')) as { version: string };

const program = new Command()
  .name('labgym')
  .description('Generate training data for AI-research agents: MLGym-style tasks in Docker sandboxes.')
  .version(version);

registerTaskCommands(program);
registerEnvCommands(program);
registerSandboxCommands(program);
registerImageCommands(program);
registerBenchCommands(program);
registerBenchExportCommand(program);
registerRunCommand(program);
registerGenerateCommand(program);
registerPolicyCommands(program);
registerShowCommand(program);
registerSchemaCommand(program);
registerScoreCommand(program);
registerFilterCommand(program);
registerExportCommand(program);
registerImportCommand(program);

/** Usage errors (unknown option, missing value) as one line naming the help to read; reportError exits 2. */
function oneLineUsageErrors(command: Command, path: string): void {
  command.exitOverride().configureOutput({
    outputError: (text, write) =>
      write(
        `labgym: ${text
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()} (see ${path} --help)\n`,
      ),
  });
  for (const sub of command.commands) oneLineUsageErrors(sub, `${path} ${sub.name()}`);
}
oneLineUsageErrors(program, 'labgym');

program.parseAsync().catch(reportError);
