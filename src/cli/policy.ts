/** `labgym policy serve`: the built-in policies as a stand-alone OpenAI-compatible endpoint on 127.0.0.1. */

import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { parseFaultRates, startPolicyServer } from '../models/index.js';
import { printJson } from './output.js';

function nonNegative(name: string) {
  return (text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !(value >= 0)) throw new InvalidArgumentError(`--${name}: expected a number >= 0, got ${JSON.stringify(text)}`);
    return value;
  };
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('the built-in policies (scripted researcher, replay)');
  policy
    .command('serve')
    .description('serve the built-in policies at http://127.0.0.1:<port>/v1 until interrupted (models: scripted, scripted:<task>, replay:<record>)')
    .option('--port <n>', 'port (0: any free one)', nonNegative('port'), 8400)
    .option(
      '--faults <spec>',
      'inject faults: a total rate (0.2) or kind=rate pairs, e.g. error=0.1,rate_limit=0.05 (kinds: error, rate_limit, slow, hang, empty, truncated, garbled, two_blocks)',
    )
    .option('--fault-seed <n>', 'seed of the fault sequence', nonNegative('fault-seed'), 0)
    .option('--retry-after <seconds>', 'Retry-After of injected 429s', nonNegative('retry-after'), 1)
    .option('--slow-ms <ms>', 'delay of slow responses', nonNegative('slow-ms'), 300)
    .option('--no-usage', 'leave token usage out of answers (clients must estimate)')
    .option('--json', 'print the address as JSON')
    .action(async (options: { port: number; faults?: string; faultSeed: number; retryAfter: number; slowMs: number; usage: boolean; json?: boolean }) => {
      const server = await startPolicyServer({
        port: options.port,
        reportUsage: options.usage,
        ...(options.faults
          ? { faults: { rates: parseFaultRates(options.faults), seed: options.faultSeed, retryAfterSeconds: options.retryAfter, slowMs: options.slowMs } }
          : {}),
      });
      if (options.json) printJson({ baseUrl: server.baseUrl, port: server.port });
      else console.log(`policy server at ${server.baseUrl} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
