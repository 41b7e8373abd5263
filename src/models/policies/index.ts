/** The built-in policies: scripted researcher, replay, fault injection, and the model names that select them. */
export { FAULT_KINDS, FaultInjector, parseFaultRates, spreadFaults, type FaultKind, type FaultOptions } from './faults.js';
export { actionOfReply, renderReply, responseFormatOf, type Policy, type PolicyReply, type PolicyRequest } from './policy.js';
export { loadRecordedOutputs, recordedOutputs, ReplayPolicy, type RecordedOutput } from './replay.js';
export { DEFAULT_TASKS_DIR, isBuiltinPolicy, PolicyResolver, UnknownPolicyError } from './resolve.js';
export {
  loadScriptedPolicyFile,
  scriptedPolicyPath,
  ScriptedPolicyFileSchema,
  type ScriptedMove,
  type ScriptedPolicyFile,
  type ScriptedSlot,
} from './scripted-policy-file.js';
export { ScriptedPolicy } from './scripted.js';
