/** The export formats by name. `mlgym` is not a row format: export.ts writes its run directories. */

import { InvalidArgumentError } from '../../errors.js';
import type { FormatOptions, RowFormat } from './format.js';
import { ktoFormat, preferenceFormat } from './preference.js';
import { sftFormat } from './sft.js';
import { shareGptFormat } from './sharegpt.js';
import { transitionsFormat } from './transitions.js';

export type FormatName = 'sft' | 'sharegpt' | 'preference' | 'kto' | 'transitions' | 'mlgym';
export const FORMAT_NAMES: readonly FormatName[] = ['sft', 'sharegpt', 'preference', 'kto', 'transitions', 'mlgym'];

export function rowFormat(name: Exclude<FormatName, 'mlgym'>, options: FormatOptions = {}): RowFormat {
  switch (name) {
    case 'sft':
      return sftFormat(options);
    case 'sharegpt':
      return shareGptFormat(options);
    case 'preference':
      return preferenceFormat(options);
    case 'kto':
      return ktoFormat();
    case 'transitions':
      return transitionsFormat(options);
    default:
      throw new InvalidArgumentError(`--format: expected one of ${FORMAT_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
}

export * from './format.js';
export { type ExportMessage, exportMessage, exportMessages, splitPrompt } from './messages.js';
export { preferencePairs } from './preference.js';
export { datasetInfo, shareGptConversation } from './sharegpt.js';
export { responseMessageIndexes } from './transitions.js';
