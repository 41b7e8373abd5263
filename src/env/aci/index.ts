/** The agent-computer interface (ACI): command specs and docs, the shell script, the multi-line guard, install. */

export {
  ACI_COMMANDS,
  bashQuote,
  multilineCommands,
  renderCommandDocs,
  renderCommandShim,
  type AciArgumentSpec,
  type AciCommandSpec,
} from './commands.js';
export { installAci, readAciScript } from './install.js';
export {
  MALFORMED_EDIT_MESSAGE,
  guardMultilineInput,
  isMalformedEdit,
  malformedCommandMessage,
  malformedMultilineMessage,
} from './multiline-guard.js';
export {
  ACI_INSTALL_DIR,
  ACI_SCRIPT_PATH,
  ACI_SHELL_PATH,
  DEFAULT_ACI_OPTIONS,
  resolveAciOptions,
  type AciOptions,
} from './options.js';
export { aciResetCommand, renderAciShellScript } from './shell-script.js';
