/**
 * The bash program each agent command runs in (one process per command): restore the shell's state from a file, run
 * the command, save the state on exit. Backend-neutral; the process's exit status is the command's own.
 */

import { ansiCQuote } from './shell-session.js';

/** Past this size a command goes on stdin instead of argv (Linux caps one argument at 128 KiB). @unit bytes */
export const COMMAND_ARGV_LIMIT = 100_000;

/** Bash's own variables: read-only, dynamic, or describing this process rather than the agent's shell. */
const SKIPPED_VARIABLES = [
  'BASH',
  'BASHOPTS',
  'BASHPID',
  'BASH_ALIASES',
  'BASH_ARGC',
  'BASH_ARGV',
  'BASH_ARGV0',
  'BASH_CMDS',
  'BASH_COMMAND',
  'BASH_EXECUTION_STRING',
  'BASH_LINENO',
  'BASH_REMATCH',
  'BASH_SOURCE',
  'BASH_SUBSHELL',
  'BASH_VERSINFO',
  'BASH_VERSION',
  'DIRSTACK',
  'EPOCHREALTIME',
  'EPOCHSECONDS',
  'EUID',
  'FUNCNAME',
  'GROUPS',
  'HISTCMD',
  'LINENO',
  'PIPESTATUS',
  'POSIXLY_CORRECT',
  'PPID',
  'PWD',
  'RANDOM',
  'SECONDS',
  'SHELLOPTS',
  'SHLVL',
  'SRANDOM',
  'UID',
  '_',
  '__labgym_*',
];

/** `set -o` options that persist; the rest (xtrace, noexec, ...) last for the command that sets them. */
const PERSISTED_OPTIONS = [
  'allexport',
  'braceexpand',
  'errexit',
  'errtrace',
  'functrace',
  'hashall',
  'noclobber',
  'noglob',
  'nounset',
  'pipefail',
  'physical',
  'posix',
];

/** Every variable name, without forking `compgen`: "${!A@}" lists the names starting with A. */
const ALL_VARIABLE_NAMES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'].map((c) => `"\${!${c}@}"`).join(' ');

/**
 * The EXIT trap. It runs after agent code, so it reads options from read-only SHELLOPTS/BASHOPTS, stops alias
 * expansion and (in posix mode, where special builtins win over functions) drops functions shadowing the builtins it
 * calls; those functions last only for the command that defines them. It never calls `exit`, so bash keeps the status.
 */
const SAVE_STATE = `__labgym_set=$SHELLOPTS __labgym_shopt=$BASHOPTS
POSIXLY_CORRECT=y
\\set +e +u +x +v
\\trap - DEBUG ERR RETURN
\\unset -f alias declare eval printf shopt
\\unset POSIXLY_CORRECT
\\shopt -u expand_aliases
{
  \\printf 'cd -- %q\\n' "$PWD"
  for __labgym_name in ${ALL_VARIABLE_NAMES}; do
    case $__labgym_name in ${SKIPPED_VARIABLES.join('|')}) ;; *) \\declare -p -- "$__labgym_name" ;; esac
  done
  \\declare -f
  \\alias -p
  \\shopt -p
  [[ :$__labgym_shopt: == *:expand_aliases:* ]] && \\printf 'shopt -s expand_aliases\\n'
  for __labgym_name in ${PERSISTED_OPTIONS.join(' ')}; do
    [[ :$__labgym_set: == *:$__labgym_name:* ]] && \\printf 'set -o %s\\n' $__labgym_name || \\printf 'set +o %s\\n' $__labgym_name
  done
} >| "$__labgym_dir/state.new" 2>/dev/null && /bin/mv -f -- "$__labgym_dir/state.new" "$__labgym_dir/state"`;

/**
 * Arguments: $1 the state folder (owned by the agent), $2 the output channel to append to, $3 the command (or stdin
 * when absent). stderr joins stdout so the output keeps the terminal's order; the command reads /dev/null. The trap is
 * set before any agent state exists.
 */
const WRAPPER = [
  '__labgym_dir=$1',
  "if (( $# > 2 )); then __labgym_command=$3; else IFS= read -r -d '' __labgym_command; fi",
  'exec >>"$2" 2>&1 </dev/null',
  'set --',
  `trap ${ansiCQuote(SAVE_STATE)} EXIT`,
  '[[ -f $__labgym_dir/state ]] && source "$__labgym_dir/state" 2>/dev/null',
  '\\eval "$__labgym_command"',
].join('; '); // one line, so bash numbers the command's own lines from 1

export interface WrappedCommand {
  readonly argv: readonly string[];
  /** Text for the process's stdin (a command too long for argv), if any. */
  readonly stdin?: string;
}

/** The process that runs `command` with the shell state kept in `stateDir`, writing its output to `outputPath`. */
export function wrapCommand(stateDir: string, outputPath: string, command: string): WrappedCommand {
  const text = command.replaceAll('\0', ''); // bash strings cannot hold NUL
  const argv = ['/bin/bash', '--noprofile', '--norc', '-c', WRAPPER, 'bash', stateDir, outputPath];
  if (Buffer.byteLength(text) <= COMMAND_ARGV_LIMIT) return { argv: [...argv, text] };
  return { argv, stdin: text };
}
