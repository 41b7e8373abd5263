/**
 * `tasks/<id>/policy.yaml`: the moves a scripted researcher can make on a task, written as ACI commands.
 * A slot is one thing to change (a hyper-parameter, the model variant, a helper file); its moves are the
 * alternatives, each of which sets the slot completely, and `restore` puts the starter version back.
 */

import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../../config/yaml.js';

const Commands = z.array(z.string().min(1)).min(1);

export const ScriptedMoveSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['hyperparameter', 'variant', 'new_file']),
  /** Why a researcher would try it; shown in the thought. */
  note: z.string().optional(),
  commands: Commands,
});

export const ScriptedSlotSchema = z.strictObject({
  name: z.string().min(1),
  /** Commands that put the starter version of this slot back. */
  restore: Commands,
  moves: z.array(ScriptedMoveSchema).min(1),
});

export const ScriptedPolicyFileSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    task: z.string().min(1),
    /** The metric the validate observation reports, and which way is better. */
    metric: z.strictObject({ name: z.string().min(1), direction: z.enum(['maximize', 'minimize']) }),
    /** Commands to look around first (ls, open ...). */
    explore: z.array(z.string().min(1)).default([]),
    /** Commands that rebuild the submission artefact after a change (e.g. python train.py). */
    produce: z.array(z.string().min(1)).default([]),
    /** How many experiments a seed may plan: a number drawn from min..max. */
    experiments: z.strictObject({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }),
    slots: z.array(ScriptedSlotSchema).min(1),
  })
  .superRefine((policy, context) => {
    if (policy.experiments.max < policy.experiments.min) {
      context.addIssue({ code: 'custom', path: ['experiments', 'max'], message: `a number >= experiments.min (${policy.experiments.min})` });
    }
  });

export type ScriptedPolicyFile = z.output<typeof ScriptedPolicyFileSchema>;
export type ScriptedSlot = ScriptedPolicyFile['slots'][number];
export type ScriptedMove = ScriptedSlot['moves'][number];

export function scriptedPolicyPath(tasksDir: string, taskId: string): string {
  return join(tasksDir, taskId, 'policy.yaml');
}

/** Load and validate a policy file; a bad one is one ConfigError naming the file and field. */
export function loadScriptedPolicyFile(file: string): ScriptedPolicyFile {
  return loadYamlFile(file, ScriptedPolicyFileSchema);
}
