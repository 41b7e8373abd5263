/** The error a model output without exactly one action raises; the agent answers it with a re-query. */

import { LabgymError } from '../errors.js';

export class FormatError extends LabgymError {
  override readonly code = 'E_FORMAT';
}
