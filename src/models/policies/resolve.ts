/**
 * Model names of the built-in policies: `scripted` (the task is read from the prompt's `TASK ID:` line),
 * `scripted:<task id>`, and `replay:<record file or .traj>[#episode id]`. Policies are loaded once and cached.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../assets.js';
import { ConfigError } from '../../errors.js';
import type { Policy, PolicyRequest } from './policy.js';
import { loadRecordedOutputs, ReplayPolicy } from './replay.js';
import { ScriptedPolicy } from './scripted.js';
import { loadScriptedPolicyFile, scriptedPolicyPath } from './scripted-policy-file.js';

export const DEFAULT_TASKS_DIR = join(PROJECT_ROOT, 'tasks');

/** The line of labgym's task prompt that names the task, for `scripted` without a task id. */
const TASK_ID_LINE = /^TASK ID: (\S+)$/m;

export function isBuiltinPolicy(model: string): boolean {
  return model === 'scripted' || model.startsWith('scripted:') || model.startsWith('replay:');
}

/** Unknown model names: answered with 404 by the server. */
export class UnknownPolicyError extends ConfigError {}

export class PolicyResolver {
  private readonly scripted = new Map<string, ScriptedPolicy>();
  private readonly replays = new Map<string, Promise<ReplayPolicy>>();

  constructor(private readonly tasksDir: string = DEFAULT_TASKS_DIR) {}

  /** Task ids that ship a policy.yaml. */
  scriptedTasks(ids: readonly string[]): string[] {
    return ids.filter((id) => existsSync(scriptedPolicyPath(this.tasksDir, id)));
  }

  /** Load (and validate) the policy a model name selects; ConfigError for a bad policy.yaml or record. */
  async resolve(model: string, request?: PolicyRequest): Promise<Policy> {
    if (model.startsWith('replay:')) {
      const source = model.slice('replay:'.length);
      let replay = this.replays.get(source);
      if (!replay) {
        replay = loadRecordedOutputs(source).then((outputs) => new ReplayPolicy(outputs));
        this.replays.set(source, replay);
        replay.catch(() => this.replays.delete(source));
      }
      return replay;
    }
    if (model === 'scripted' || model.startsWith('scripted:')) {
      const taskId = model.startsWith('scripted:')
        ? model.slice('scripted:'.length)
        : request?.messages.find((message) => message.role === 'user')?.content?.match(TASK_ID_LINE)?.[1];
      if (!taskId) throw new ConfigError('request', 'messages', 'a task prompt with a "TASK ID: <id>" line (or the model name scripted:<task id>)');
      return this.scriptedFor(taskId);
    }
    throw new UnknownPolicyError('model', '', 'scripted, scripted:<task id> or replay:<record file>', JSON.stringify(model));
  }

  scriptedFor(taskId: string): ScriptedPolicy {
    let policy = this.scripted.get(taskId);
    if (!policy) {
      const file = scriptedPolicyPath(this.tasksDir, taskId);
      if (!existsSync(file)) throw new ConfigError(file, '', `a scripted policy for task ${taskId}`, 'no such file');
      policy = new ScriptedPolicy(loadScriptedPolicyFile(file));
      this.scripted.set(taskId, policy);
    }
    return policy;
  }
}
