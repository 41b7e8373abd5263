/** The agent-computer interface (ACI): command specs and docs, the shell script, the multi-line guard, install. */

export {
  ACI_COMMANDS,
  type AciArgumentSpec,
  type AciCommandSpec,
  bashQuote,
  multilineCommands,
  renderCommandDocs,
  renderCommandShim,
} from './commands.js';
export { installAci, readAciScript } from './install.js';
export {
  guardMultilineInput,
  isMalformedEdit,
  MALFORMED_EDIT_MESSAGE,
  malformedCommandMessage,
  malformedMultilineMessage,
} from './multiline-guard.js';
export {
  ACI_INSTALL_DIR,
  ACI_SCRIPT_PATH,
  ACI_SHELL_PATH,
  type AciOptions,
  DEFAULT_ACI_OPTIONS,
  resolveAciOptions,
} from './options.js';
export { aciResetCommand, renderAciShellScript } from './shell-script.js';
