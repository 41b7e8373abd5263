/**
 * The bash source (aci.sh) sourced into the agent's persistent shell: the ACI state variables and one function per
 * command, generated from ACI_COMMANDS. State stays in plain shell variables of that shell between commands.
 */

import { ACI_COMMANDS, type AciCommandSpec, bashQuote, renderCommandShim } from './commands.js';
import { ACI_SCRIPT_PATH, ACI_SHELL_PATH, type AciOptions, resolveAciOptions } from './options.js';

/**
 * Protocol with aci.py: `_aci_run` passes the state variables to it as environment variables and its arguments as
 * argv (a heredoc, if any, stays on stdin). aci.py prints the observation on stdout and writes the new state as
 * quoted assignments on fd 3, which `_aci_run` captures and evals here.
 *
 * The scroll warning counts consecutive scroll commands: any other ACI command breaks the run, and so does a
 * LAST_ACTION variable that the environment may set to the previous action, as MLGym does.
 */
export function renderAciShellScript(options: Partial<AciOptions> = {}, commands: readonly AciCommandSpec[] = ACI_COMMANDS): string {
  const { window, overlap } = resolveAciOptions(options);
  return `# labgym ACI (generated from src/env/aci/commands.ts; sourcing it again resets the viewer state).
WINDOW=${window}
OVERLAP=${overlap}
CURRENT_FILE=''
CURRENT_LINE=0
SCROLL_COUNT=0
ACI_LAST_COMMAND=''

_ACI_PYTHON=/usr/bin/python3
[ -x "$_ACI_PYTHON" ] || _ACI_PYTHON=python3

_aci_run() {
  local _aci_state _aci_status
  {
    _aci_state=$(CURRENT_FILE="\${CURRENT_FILE-}" CURRENT_LINE="\${CURRENT_LINE:-0}" WINDOW="\${WINDOW:-${window}}" \\
      OVERLAP="\${OVERLAP:-${overlap}}" SCROLL_COUNT="\${SCROLL_COUNT:-0}" ACI_LAST_COMMAND="\${ACI_LAST_COMMAND-}" \\
      LAST_ACTION="\${LAST_ACTION-}" "$_ACI_PYTHON" -I ${ACI_SCRIPT_PATH} "$@" 3>&1 1>&4 4>&-)
    _aci_status=$?
  } 4>&1
  eval "$_aci_state"
  return "$_aci_status"
}

# A multi-line command whose text did not come as a heredoc would read the terminal or the shell's own input and
# swallow the commands that follow: refuse. The shell's input is recorded when this file is sourced, unless it is
# /dev/null (a harness that runs each command with stdin from /dev/null), which an empty heredoc also gives.
_ACI_SHELL_INPUT=
[[ /dev/stdin -ef /dev/null ]] || _ACI_SHELL_INPUT=$(stat -L -c '%d:%i' /dev/stdin 2>/dev/null)
_aci_needs_text() {
  if [ -t 0 ] || { [ -n "$_ACI_SHELL_INPUT" ] && [ "$(stat -L -c '%d:%i' /dev/stdin 2>/dev/null)" = "$_ACI_SHELL_INPUT" ]; }; then
    echo "Malformed $1 command. Please ensure you use the \\\`$2\\\` keyword to mark the end of your $1."
    return 1
  fi
}

${commands.map(renderCommandShim).join('\n')}
`;
}

/** Shell text that puts the ACI back in its starting state (no open file, configured window) for a new episode. */
export function aciResetCommand(): string {
  return `source ${bashQuote(ACI_SHELL_PATH)}`;
}
