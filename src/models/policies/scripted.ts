/**
 * The scripted researcher: looks around, validates the starter code, tries a seeded selection of the task's moves
 * (policy.yaml) one at a time, keeping those that improve the score, then submits. It runs behind HTTP with no memory,
 * so each reply replays its own plan over the conversation.
 */

import { ConfigError } from '../../errors.js';
import { seededRandom } from '../../random.js';
import type { ChatMessage } from '../../store/index.js';
import { actionOfReply, type Policy, type PolicyReply, type PolicyRequest, renderReply } from './policy.js';
import type { ScriptedMove, ScriptedPolicyFile, ScriptedSlot } from './scripted-policy-file.js';

interface Decision {
  readonly thought: string;
  readonly action: string;
}

/** What the researcher learns from one observation. */
interface Feedback {
  readonly remainingSteps: number;
  /** After validate: the score, or null when the validation failed. */
  readonly score?: number | null;
}

function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? 'none' : String(score);
}

function* research(policy: ScriptedPolicyFile, seed: number, remainingAtStart: number): Generator<Decision, Decision, Feedback> {
  let remaining = remainingAtStart;
  const run = function* (commands: readonly string[], why: (i: number) => string): Generator<Decision, void, Feedback> {
    for (const [i, action] of commands.entries()) remaining = (yield { thought: why(i), action }).remainingSteps;
  };
  const better = (score: number | null | undefined, best: number | null): score is number =>
    typeof score === 'number' && (best === null || (policy.metric.direction === 'maximize' ? score > best : score < best));

  yield* run(policy.explore, (i) =>
    i === 0 ? 'Before changing anything, let me see what the workspace holds.' : 'Let me read this too before deciding what to change.',
  );
  yield* run(policy.produce, () => 'First I build the submission from the starter code as it is, to get a reference score.');
  const first = yield { thought: 'Let me validate the starting point, so every experiment has something to beat.', action: 'validate' };
  remaining = first.remainingSteps;
  let best: number | null = typeof first.score === 'number' ? first.score : null;
  let lastNote = `Validation score: ${formatScore(first.score)}. That is the reference.`;

  const random = seededRandom(seed);
  const candidates: { slot: ScriptedSlot; move: ScriptedMove }[] = policy.slots.flatMap((slot) => slot.moves.map((move) => ({ slot, move })));
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const planned = policy.experiments.min + Math.floor(random() * (policy.experiments.max - policy.experiments.min + 1));
  const kept = new Map<string, ScriptedMove>();
  let done = 0;
  for (const { slot, move } of candidates) {
    if (done >= planned) break;
    const undo = kept.get(slot.name)?.commands ?? slot.restore;
    const cost = move.commands.length + 2 * policy.produce.length + 1 + undo.length + 1;
    if (remaining < cost) {
      lastNote += ` Only ${remaining} steps are left, not enough for another experiment.`;
      break;
    }
    done += 1;
    const intro = `${lastNote} Experiment ${done} of ${planned}: ${move.name} (${move.kind.replace('_', ' ')}).${move.note ? ` ${move.note}` : ''}`;
    yield* run(move.commands, (i) => (i === 0 ? intro : `Continuing experiment ${done} (${move.name}).`));
    yield* run(policy.produce, () => `Rebuilding the submission with ${move.name}.`);
    const result = yield { thought: `Let me validate experiment ${done} (${move.name}); the best so far is ${formatScore(best)}.`, action: 'validate' };
    remaining = result.remainingSteps;
    if (better(result.score, best)) {
      lastNote = `Validation score: ${formatScore(result.score)}. Better than ${formatScore(best)}, so I keep ${move.name}.`;
      best = result.score;
      kept.set(slot.name, move);
    } else {
      lastNote = `Validation score: ${formatScore(result.score)}. Not better than ${formatScore(best)}, so I undo ${move.name}.`;
      yield* run(undo, (i) => (i === 0 ? lastNote : `Still undoing ${move.name}.`));
      yield* run(policy.produce, () => 'Rebuilding the submission without it.');
      lastNote = `Back to the best version (${formatScore(best)}).`;
    }
  }
  const keptNames = [...kept.values()].map((move) => move.name);
  const submit = {
    thought: `${lastNote} I submit the best version (${keptNames.length ? keptNames.join(', ') : 'the starter code'}, validation ${formatScore(best)}).`,
    action: 'submit',
  };
  for (;;) yield submit;
}

const FOOTER_REMAINING = /Remaining Steps: (-?\d+)/;
const SCORE_FAILED = /Submission artefact not found|Failed to decode metrics|^Error: /m;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The primary score from a validate observation: a number, null when it failed, undefined when the text is gone. */
function scoreIn(observation: string, metric: string): number | null | undefined {
  const evaluation = observation.match(/Evaluation Score: \{([^}]*)\}/);
  if (evaluation) {
    const value = evaluation[1]!.match(new RegExp(`'${escapeRegExp(metric)}': (-?[0-9.eE+-]+|nan|inf)`));
    const score = value ? Number(value[1]) : NaN;
    return Number.isFinite(score) ? score : null;
  }
  return SCORE_FAILED.test(observation) ? null : undefined;
}

/** The score a later thought of ours noted ("Validation score: X."). */
function notedScore(messages: readonly ChatMessage[], from: number): number | null | undefined {
  for (let i = from; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== 'assistant' || actionOfReply(message) === undefined) continue;
    const noted = (message.content ?? '').match(/Validation score: (none|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\./i);
    if (noted) return noted[1] === 'none' ? null : Number(noted[1]);
  }
  return undefined;
}

/**
 * Each move is applied, rebuilt and validated, kept if the score improved and undone otherwise. Its earlier actions
 * are recognised in the assistant messages, and the scores are read from the validate observations (or, once a
 * history processor has hidden one, from the thought that noted it).
 */
export class ScriptedPolicy implements Policy {
  constructor(private readonly policy: ScriptedPolicyFile) {}

  reply(request: PolicyRequest): PolicyReply {
    const messages = request.messages;
    const taskIndex = messages.findIndex((message) => message.role === 'user');
    if (taskIndex < 0) throw new ConfigError('request', 'messages', 'a user message holding the task');
    const remainingAtStart = Number(messages[taskIndex]!.content?.match(FOOTER_REMAINING)?.[1] ?? Number.MAX_SAFE_INTEGER);
    const plan = research(this.policy, request.seed ?? 0, remainingAtStart);
    let decision = plan.next().value;
    let stepsTaken = 0;
    for (let i = taskIndex + 1; i < messages.length; i++) {
      const message = messages[i]!;
      if (message.role !== 'assistant') continue;
      stepsTaken += 1;
      const next = messages[i + 1];
      if (!next || actionOfReply(message) !== decision.action) continue; // not ours: a fault, or a re-query in progress
      const observation = next.content ?? '';
      const remainingSteps = Number(observation.match(FOOTER_REMAINING)?.[1] ?? remainingAtStart - stepsTaken);
      let score: number | null | undefined;
      if (decision.action === 'validate') score = scoreIn(observation, this.policy.metric.name) ?? notedScore(messages, i + 2) ?? null;
      decision = plan.next({ remainingSteps, score }).value;
    }
    return renderReply(request, decision.thought, decision.action);
  }
}
