import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type PolicyExchange, startPolicyServer } from '../../src/models/index.js';
import { readEpisodeFileStrict } from '../../src/store/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'tests/fixtures/mlgym/scripted__numberGuess__run_0/numberGuess.traj');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

test('an API key from the environment reaches the endpoint and nothing else: run directory, logs, sandbox', async () => {
  const canary = `sk-labgym-canary-${randomBytes(12).toString('hex')}`;
  const exchanges: PolicyExchange[] = [];
  const server = await startPolicyServer({ onExchange: (exchange) => exchanges.push(exchange) });
  const out = await mkdtemp(join(tmpdir(), 'labgym-canary-'));
  try {
    // The replayed episode runs `env` in the sandbox first, so the sandbox environment lands in the record.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'run',
        '--task',
        'numberGuess',
        '--model',
        `replay:${FIXTURE}`,
        '--base-url',
        server.baseUrl,
        '--out',
        out,
        '--max-steps',
        '6',
      ],
      { cwd: ROOT, env: { ...process.env, OPENAI_API_KEY: canary } },
    );
    let logs = '';
    child.stdout.on('data', (chunk: Buffer) => (logs += chunk));
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, logs);

    assert.ok(exchanges.length >= 4 && exchanges.every((exchange) => exchange.authorization === `Bearer ${canary}`), 'the key was sent to the endpoint');
    const [record] = await readEpisodeFileStrict(join(out, 'episodes.jsonl'));
    assert.equal(record!.steps[0]!.action, 'env\n');
    assert.match(record!.steps[0]!.observation, /^HOME=\/home\/agent$/m, 'the sandbox environment was captured');
    assert.match(logs, /step 1: env/, 'the run logged its steps');

    const files = await filesUnder(out);
    assert.ok(files.length >= 1);
    for (const file of files) assert.ok(!(await readFile(file, 'utf8')).includes(canary), `${file} holds the key`);
    assert.ok(!logs.includes(canary), 'the logs hold the key');
  } finally {
    await server.close();
    await rm(out, { recursive: true, force: true });
  }
});
