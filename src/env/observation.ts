/**
 * Turning shell results into observations: MLGym's timeout texts, and its post-processing (blank lines and
 * tqdm bars dropped, CRLF folded), which labgym applies only in MLGym-compatible mode because it changes what
 * `cat` shows.
 */

const TQDM_LINE = /(?:.*?:\s*)?(\d+%\|.*?\|.*\[.*?\])/;

export function timeoutMessage(kind: 'total' | 'idle', seconds: number): string {
  return kind === 'total'
    ? `\nEXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN ${seconds} SECONDS.`
    : `\nEXECUTION TIMED OUT BECAUSE NO OUTPUT WAS PRODUCED FOR MORE THAN ${seconds} SECONDS.\nPLEASE REFINE YOUR RUNNING COMMAND SO IT WILL PRODUCE OUTPUT IN THE SPECIFIED TIME FRAME.`;
}

export const INTERRUPT_FAILED_MESSAGE = '\nEXECUTION TIMED OUT AND INTERRUPT FAILED. RESTARTING PROCESS.';

/** MLGym's observation clean-up: CRLF to LF, drop empty lines and tqdm progress lines. */
export function mlgymPostprocess(output: string): string {
  return output
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((line) => line.trim() !== '' && !TQDM_LINE.test(line))
    .join('\n');
}
