/** The built-in policies: scripted researcher, replay, fault injection, and the model names that select them. */
export { FAULT_KINDS, FaultInjector, type FaultKind, type FaultOptions, parseFaultRates, spreadFaults } from './faults.js';
export { actionOfReply, type Policy, type PolicyReply, type PolicyRequest, renderReply, responseFormatOf } from './policy.js';
export { loadRecordedOutputs, type RecordedOutput, ReplayPolicy, recordedOutputs } from './replay.js';
export { DEFAULT_TASKS_DIR, isBuiltinPolicy, PolicyResolver, UnknownPolicyError } from './resolve.js';
export { ScriptedPolicy } from './scripted.js';
export {
  loadScriptedPolicyFile,
  type ScriptedMove,
  type ScriptedPolicyFile,
  ScriptedPolicyFileSchema,
  type ScriptedSlot,
  scriptedPolicyPath,
} from './scripted-policy-file.js';
