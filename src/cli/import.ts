/** `labgym import mlgym <trajectories dir> --out <run dir>`: MLGym run directories into a run store (store/mlgym-import.ts). */

import type { Command } from 'commander';
import { importMlgymRun } from '../store/index.js';
import { printJson } from './output.js';

export function registerImportCommand(program: Command): void {
  const command = program.command('import').description('import episodes from other tools into a run store');
  command
    .command('mlgym')
    .description('MLGym run directories (.traj + results.json) into a run store')
    .argument('<trajectories>', 'a folder of MLGym run directories (or one run directory)')
    .requiredOption('--out <dir>', 'run folder to create (episodes/mlgym.jsonl and spec.yaml)')
    .option('--json', 'print the result as JSON')
    .action(async (root: string, options: { out: string; json?: boolean }) => {
      const result = await importMlgymRun(root, options.out);
      if (options.json) return printJson(result);
      console.log(
        `${result.episodes} MLGym runs -> ${result.out}${result.withoutTrajectory ? ` (${result.withoutTrajectory} without a .traj: scores only)` : ''}`,
      );
    });
}
