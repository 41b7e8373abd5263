/**
 * The replay policy: answers with the recorded model outputs of an episode, in call order (re-queries
 * included), from a labgym record file or an MLGym `.traj`. The n-th answer is the one after n assistant
 * messages, so the agent's accumulated re-query history keeps the count right without server state.
 */

import { ConfigError } from '../../errors.js';
import { type EpisodeRecord, readEpisodeFileStrict, readMlgymRun, type ToolCall } from '../../store/index.js';
import { type Policy, type PolicyReply, type PolicyRequest, renderReply } from './policy.js';

export interface RecordedOutput {
  readonly content: string;
  readonly toolCalls?: readonly ToolCall[];
}

/** Every model output of a labgym episode in the order the calls were made. */
export function recordedOutputs(record: EpisodeRecord): RecordedOutput[] {
  return record.steps.flatMap((step) => [
    ...step.requeries.map((requery) => ({ content: requery.response, ...(requery.toolCalls ? { toolCalls: requery.toolCalls } : {}) })),
    ...(step.modelCall ? [{ content: step.response, ...(step.toolCalls ? { toolCalls: step.toolCalls } : {}) }] : []),
  ]);
}

/** `path` (a .traj, or a JSONL record file, optionally `path#episodeId`) to its outputs. */
export async function loadRecordedOutputs(source: string): Promise<RecordedOutput[]> {
  const [path, episodeId] = source.split('#') as [string, string | undefined];
  if (path.endsWith('.traj')) {
    return readMlgymRun(path)
      .traj.history.filter((item) => item.role === 'assistant' && !item.is_demo)
      .map((item) => ({ content: item.content ?? '' }));
  }
  const records = await readEpisodeFileStrict(path);
  const record = episodeId === undefined ? records[0]! : records.find((candidate) => candidate.episodeId === episodeId);
  if (!record) throw new ConfigError(path, 'episodeId', `an episode with id ${episodeId}`, records.map((r) => r.episodeId).join(', '));
  return recordedOutputs(record);
}

export class ReplayPolicy implements Policy {
  constructor(private readonly outputs: readonly RecordedOutput[]) {}

  reply(request: PolicyRequest): PolicyReply {
    const index = request.messages.filter((message) => message.role === 'assistant').length;
    const output = this.outputs[index];
    // Past the end of the recording, the only sensible move is to stop.
    if (!output) return renderReply(request, 'The recorded episode has no more actions.', 'submit');
    return output;
  }
}
