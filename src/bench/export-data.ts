/**
 * Synthetic episode records for the export benchmark and tests: valid EpisodeRecords (schema-checked by the
 * tests), deterministic from (index, seed), with realistic text (code, newlines, quotes, unicode) and scores.
 * Exporters must not care where records came from; this is the cheap way to get 200k of them.
 */

import { seededRandom } from '../random.js';
import { type ChatMessage, EPISODE_SCHEMA_VERSION, type EpisodeRecord, type StepRecord } from '../store/index.js';

export interface SyntheticOptions {
  /** Tasks the episodes spread over. @default 8 */
  readonly tasks?: number;
  /** Steps per episode (an agent turn and an observation each). @default 4 */
  readonly steps?: number;
  /** Characters per message text. @default 500 */
  readonly messageChars?: number;
  readonly models?: readonly string[];
  /** Seeds per task (episodes of one task and seed form a preference group). @default 4 */
  readonly seeds?: number;
}

const WORDS = [
  'model',
  'train',
  'loss',
  'accuracy',
  'python',
  'epoch',
  'baseline',
  'validate',
  'submission',
  'é',
  '→',
  '数据',
  '🙂',
  'def',
  'return',
  '"quoted"',
  "it's",
  'x\ty',
  'lr=3e-4',
];

function text(next: () => number, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = next() < 0.05 ? '\n```python\nprint("hi")\n```\n' : WORDS[Math.floor(next() * WORDS.length)]!;
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

export function syntheticEpisode(index: number, options: SyntheticOptions = {}): EpisodeRecord {
  const next = seededRandom(index * 7919 + 17);
  const tasks = options.tasks ?? 8;
  const stepCount = options.steps ?? 4;
  const chars = options.messageChars ?? 500;
  const models = options.models ?? ['model-a', 'model-b'];
  const taskId = `task${index % tasks}`;
  const seed = Math.floor(index / tasks) % (options.seeds ?? 4);
  const baseline = 1 + (index % tasks) / 10;
  const score = Math.round(baseline * (0.8 + next() * 0.6) * 1e6) / 1e6;
  const messages: ChatMessage[] = [
    { role: 'system', content: `SETTING: ${text(next, chars)}` },
    { role: 'user', content: `TASK ${taskId}: ${text(next, chars)}` },
  ];
  const steps: StepRecord[] = [];
  const validations: EpisodeRecord['scores']['validations'] = [];
  for (let s = 1; s <= stepCount; s++) {
    const last = s === stepCount;
    const action = last ? 'submit' : s === stepCount - 1 ? 'validate' : `python train.py --epochs ${1 + Math.floor(next() * 5)}`;
    const thought = `DISCUSSION\n${text(next, chars - 40)}\n\n`;
    const response = `${thought}\`\`\`\n${action}\n\`\`\``;
    const observation = last ? 'Exited (submit)' : text(next, chars);
    messages.push({ role: 'assistant', content: response });
    if (!last) messages.push({ role: 'user', content: observation });
    const validateScore = action === 'validate' ? Math.round(baseline * (0.8 + next() * 0.6) * 1e6) / 1e6 : undefined;
    if (validateScore !== undefined) validations.push({ step: s, split: 'validation', score: validateScore, metrics: { Score: validateScore } });
    steps.push({
      index: s,
      response,
      thought,
      action,
      observation,
      reward: 0,
      terminated: last,
      truncated: false,
      requeries: [],
      executionMs: Math.round(next() * 1000),
      ...(last ? { exitStatus: 'submitted' } : {}),
    });
  }
  const best = Math.max(score, ...validations.map((entry) => entry.score!));
  const promptTokens = 1000 + Math.floor(next() * 4000);
  const completionTokens = 200 + Math.floor(next() * 800);
  return {
    schemaVersion: EPISODE_SCHEMA_VERSION,
    episodeId: `${taskId}-s${seed}-e${index}`,
    runId: 'synthetic',
    source: 'labgym',
    task: { id: taskId, contentHash: `sha256:task${index % tasks}` },
    model: { name: models[index % models.length]!, sampling: { temperature: 0, seed } },
    agent: { responseFormat: 'mlgym', historyProcessor: 'last_n_observations(5)', maxRequeries: 3 },
    seed,
    limits: { maxSteps: 50 },
    messages,
    steps,
    exitStatus: 'submitted',
    exitReason: 'submitted',
    scores: {
      primaryMetric: 'Score',
      direction: 'maximize',
      baseline,
      validations,
      final: { step: stepCount, split: 'test', score, metrics: { Score: score } },
      best,
    },
    usage: {
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      calls: stepCount,
      retries: 0,
      costUsd: 0,
      usageEstimated: false,
      gpuSeconds: 0,
    },
    integrity: { evaluatorHashes: [`sha256:eval${index % tasks}`], evaluatedOutsideAgentSandbox: true },
  };
}
