import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_DIRS, loadTask } from '../../src/tasks/index.js';

/** numberGuess copied into a scratch catalog, with `edit` applied to its task.yaml. */
function withTask(edit: (yaml: string) => string, check: (load: () => ReturnType<typeof loadTask>, file: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'labgym-task-'));
  try {
    const dirs = { tasks: join(root, 'tasks'), datasets: DEFAULT_DIRS.datasets };
    cpSync(join(DEFAULT_DIRS.tasks, 'numberGuess'), join(dirs.tasks, 'numberGuess'), { recursive: true });
    const file = join(dirs.tasks, 'numberGuess', 'task.yaml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    check(() => loadTask('numberGuess', dirs), file);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('submission artifacts must stay inside the workspace', () => {
  for (const artifact of ['../secret.txt', '/etc/passwd', 'out/../../x']) {
    withTask(
      (yaml) => yaml.replace('    - submission.txt', `    - ${JSON.stringify(artifact)}`),
      (load, file) =>
        assert.throws(load, {
          message: `${file}: submission.artifacts[0]: expected a path or glob inside the workspace (no leading "/", no ".."), got ${JSON.stringify(artifact)}`,
        }),
    );
  }
});

test('a task asking for a million cores is refused with the cap', () => {
  withTask(
    (yaml) => yaml.replace('  cpus: 1', '  cpus: 1000000'),
    (load, file) => assert.throws(load, { message: `${file}: resources.cpus: expected at most 1024 cores, got 1000000` }),
  );
});

test('submission.max_bytes is a size in bytes, 1 GiB by default', () => {
  withTask(
    (yaml) => yaml,
    (load) => assert.equal(load().config.submission.max_bytes, 1024 ** 3),
  );
  withTask(
    (yaml) => yaml.replace('    - submission.txt', '    - submission.txt\n  max_bytes: 512m'),
    (load) => assert.equal(load().config.submission.max_bytes, 512 * 1024 ** 2),
  );
  withTask(
    (yaml) => yaml.replace('    - submission.txt', '    - submission.txt\n  max_bytes: lots'),
    (load, file) => assert.throws(load, { message: `${file}: submission.max_bytes: expected a size such as "1g", "512m" or a number of bytes, got "lots"` }),
  );
});
