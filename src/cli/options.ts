/** Option parsers shared by commands: each turns bad input into one InvalidArgumentError line. */

import { InvalidArgumentError } from '../errors.js';
import type { TaskScale } from '../tasks/index.js';

export function scaleOption(value: string): TaskScale {
  if (value !== 'full' && value !== 'reduced') throw new InvalidArgumentError(`--scale: expected full or reduced, got ${JSON.stringify(value)}`);
  return value;
}
