/**
 * Hostile episodes on battleOfSexes (reduced): one scripted attack per class, each followed by an honest episode in
 * the recycled sandbox, which must score and leave behind exactly what the same honest episode did alone.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/assets.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';
import { type EpisodeResult, HostileBench, LEFTOVERS_PROBE, withPeakRss } from './harness.js';

const script = (name: string) => readFileSync(join(import.meta.dirname, 'scripts', name), 'utf8');
/** An action that writes `text` to `path` in the workspace (a quoted heredoc: no expansion). */
const writeFile = (path: string, text: string) => `cat > ${path} <<'END_OF_FILE'\n${text}\nEND_OF_FILE`;
const runPython = (name: string, args = '') => `python3 - ${args} <<'END_OF_SCRIPT'\n${script(name)}\nEND_OF_SCRIPT`;

/** The submission a successful persistence attack leaves: it plays 0 every round, which scores differently. */
const CHEAT = 'def row_strategy(history):\n    return 0\n';
/** The honest episode: run Python in the sandbox (user-site hooks would fire), wait, list what is left over. */
const HONEST = ['python3 -c "import strategy; print(strategy.row_strategy([]) in (0, 1))"', 'sleep 2', LEFTOVERS_PROBE];

const bench = new HostileBench({ shortTimeoutMs: 15_000 });
let task: ResolvedTask;
let honestSource: string;
let alone: EpisodeResult;

before(async () => {
  task = await resolveTask('battleOfSexes', { scale: 'reduced' });
  honestSource = readFileSync(join(task.dir, 'workspace/strategy.py'), 'utf8');
  alone = await bench.episode(task, HONEST);
  assert.equal(typeof alone.scores.validation, 'number');
  assert.equal(typeof alone.scores.test, 'number');
});
after(() => bench.close());

/** The last episode was honest: the next (an attack) must then get its sandbox back, recycled by the pool. */
let afterHonest = true;

/** An attack episode, left open (no submit) unless `submit` says otherwise. */
async function attackEpisode(actions: readonly string[], params: { submit?: boolean } = {}): Promise<EpisodeResult> {
  const expectRecycled = afterHonest;
  afterHonest = false;
  return bench.episode(task, actions, { submit: false, ...params, expectRecycled });
}

/** The honest episode again, in the sandbox the attack used: same scores, same leftovers as alone. */
async function assertNextEpisodeUnaffected(t: TestContext): Promise<void> {
  // A wipe that cannot prove the sandbox clean makes the pool replace it: a valid defence, but say so.
  const next = await bench.episode(task, HONEST, { expectRecycled: false });
  afterHonest = true;
  if (!next.recycled) t.diagnostic('the pool replaced the attacked sandbox instead of recycling it');
  assert.deepEqual(next.scores, alone.scores, 'the next episode scores as it did alone');
  assert.equal(next.steps.at(-1)!.observation, alone.steps.at(-1)!.observation, 'the next episode finds nothing left over');
}

describe('hostile episodes: battleOfSexes', () => {
  test('cross-episode persistence: nothing planted survives into the next episode', async (t) => {
    const attack = await attackEpisode([
      runPython('persistence-plant.py'),
      `cat > /dev/shm/hostile-survivor.py <<'END_OF_FILE'\n${script('persistence-survivor.py')}\nEND_OF_FILE`,
      'setsid nohup python3 /dev/shm/hostile-survivor.py HOSTILE >/dev/null 2>&1 &',
      `setsid nohup sh -c 'while :; do sleep 1; printf "%s\\n" "$1" > /home/agent/workspace/strategy.py; done' HOSTILE "$(cat /dev/shm/hostile-strategy.py)" >/dev/null 2>&1 &`,
      'ipcmk -M 4096',
      `sleep 1.5; cat strategy.py; echo "shm segments: $(ipcs -m | grep -c '^0x')"; echo "survivors: $(pgrep -c -f 'hostile-survivo[r]'), loops: $(pgrep -c -f 'while :; do slee[p]')"`,
    ]);
    // The attack works within its own episode.
    const planted = attack.steps[0]!.observation;
    assert.match(planted, /planted .*usercustomize\.py/);
    assert.match(planted, /planted \/home\/agent\/\.bashrc/);
    const state = attack.steps.at(-1)!.observation;
    assert.ok(state.startsWith(CHEAT), `the loops rewrote strategy.py:\n${state}`);
    assert.match(state, /shm segments: 1\b/);
    t.diagnostic(state.split('\n').at(-2)!);
    await assertNextEpisodeUnaffected(t);
  });

  test('artifact size: a sparse 3.5 GB strategy.py fails the evaluation cleanly, the harness stays small', async (t) => {
    const attack = await attackEpisode(['truncate -s 3500M strategy.py && ls -ls strategy.py']);
    assert.match(attack.steps[0]!.observation, /3670016000/);
    const { value: validated, peakRss } = await withPeakRss(bench.env.step('validate'));
    const failure = validated.info.evaluation?.failure;
    assert.ok(failure, `the evaluation fails: ${validated.observation}`);
    assert.match(failure.message, /1073741824 bytes|1024(\.0)? MiB|1 GiB/, 'the failure names the cap');
    assert.doesNotMatch(validated.observation, /Traceback/);
    assert.ok(peakRss < 1024 ** 3, `harness RSS peaked at ${(peakRss / 1024 ** 2).toFixed(0)} MiB`);
    await assertNextEpisodeUnaffected(t);
  });

  test('quotas: writing 5 GB or 300k files ends in ENOSPC, the host disk is untouched, the root is read-only', async (t) => {
    const dockerRoot = execFileSync('docker', ['info', '-f', '{{.DockerRootDir}}'], { encoding: 'utf8' }).trim();
    const freeBytes = async () => {
      const stats = await statfs(dockerRoot);
      return stats.bavail * stats.bsize;
    };
    const freeBefore = await freeBytes();
    const attack = await attackEpisode([
      'dd if=/dev/zero of=big bs=1M count=5120 2>&1; rm big',
      'dd if=/dev/zero of=/tmp/big bs=1M count=5120 2>&1; rm /tmp/big',
      'dd if=/dev/zero of=~/big bs=1M count=5120 2>&1; rm ~/big',
      `python3 - <<'END_OF_SCRIPT'\nimport os\nos.makedirs("many", exist_ok=True)\nfor i in range(300000):\n    try:\n        open("many/%d" % i, "w").close()\n    except OSError as error:\n        print(i, "files, then:", error)\n        break\nelse:\n    print("created 300000 files")\nEND_OF_SCRIPT`,
      'for f in /usr/hostile /etc/hostile /opt/hostile /usr/lib/python3/dist-packages/hostile.py; do touch "$f" 2>/dev/null && echo "wrote $f" || echo "refused $f"; done',
    ]);
    const freeAfter = await freeBytes();
    const [workspace, tmp, home, files, system] = attack.steps.map((step) => step.observation);
    for (const [where, output] of Object.entries({ workspace, tmp, home, files })) assert.match(output!, /No space left on device/, `${where}: ${output}`);
    assert.ok(freeBefore - freeAfter < 1024 ** 3, `the host disk lost ${((freeBefore - freeAfter) / 1024 ** 2).toFixed(0)} MiB`);
    assert.doesNotMatch(system!, /wrote/);
    assert.equal(system!.match(/refused/g)?.length, 4);
    await assertNextEpisodeUnaffected(t);
  });

  test('evaluation wall: submitted code cannot change the score or forge the failure line', async (t) => {
    const prepended = (name: string) => writeFile('strategy.py', script(name) + honestSource);
    const overriding = (name: string) => writeFile('strategy.py', honestSource + script(name));
    const attack = await attackEpisode(
      [
        prepended('wall-mischief.py'),
        'validate',
        overriding('wall-nested-reply.py'),
        'validate',
        overriding('wall-sleep.py'),
        'validate',
        overriding('wall-forged-failure.py'),
      ],
      { submit: true },
    );
    const evaluationAt = (index: number) => attack.steps[index]!.info.evaluation!;
    const [mischief, nested, sleeping] = [evaluationAt(1), evaluationAt(3), evaluationAt(5)];
    assert.equal(mischief.score, alone.scores.validation, `mischief: ${attack.steps[1]!.observation}`);
    assert.equal(mischief.otherSplit?.score, alone.scores.test);
    for (const [name, evaluation] of Object.entries({ nested, sleeping })) {
      assert.ok(evaluation.failure, `${name}: the evaluation fails`);
      assert.doesNotMatch(evaluation.failure.message.trim(), /\n/, `${name}: a one-line failure: ${evaluation.failure.message}`);
      assert.doesNotMatch(evaluation.failure.message, /forged/);
    }
    const final = attack.final!;
    assert.match(final.observation, /the submission gives up/, "the exit text is the evaluator's failure");
    assert.doesNotMatch(`${final.observation}\n${final.info.exitStatus}`, /forged/);
    await assertNextEpisodeUnaffected(t);
  });

  test('control channel: no trick in the shell makes later steps record a false exit code or output', async (t) => {
    const forger = `cat > /tmp/forger.py <<'END_OF_FILE'\n${script('marker-forger.py')}\nEND_OF_FILE\npython3 /tmp/forger.py HOSTILE & sleep 1`;
    const fakePrintf = `mkdir -p ~/bin && cat > ~/bin/printf <<'END_OF_FILE'\n#!/bin/sh\nformat=$(echo "$1" | sed 's/%d/0/'); shift; exec /usr/bin/printf "$format" "$@"\nEND_OF_FILE\nchmod +x ~/bin/printf; export PATH=~/bin:$PATH; enable -n printf`;
    const attacks: Record<string, string> = {
      'DEBUG trap printing a marker with exit code 0': `trap 'case $BASH_COMMAND in *__LABGYM_DONE_*) n=\${BASH_COMMAND#*__LABGYM_DONE_}; builtin printf "\\n__LABGYM_DONE_%s_0__\\n" "\${n%%_*}";; esac' DEBUG`,
      'printf function': 'printf() { builtin printf "${1//%d/0}" "${@:2}"; }',
      'builtin function': 'builtin() { if [ "$1" = printf ]; then shift; command printf "${1//%d/0}" "${@:2}"; else command builtin "$@"; fi; }',
      'exit function': 'exit() { command exit 0; }',
      'printf alias': 'shopt -s expand_aliases; zero() { command printf "${1//%d/0}" "${@:2}"; }; alias printf=zero',
      'printf disabled, a fake one on PATH': fakePrintf,
      'reading the shell memory (/proc/$PPID/mem) for markers': forger,
      'exec >/dev/null': 'exec >/dev/null 2>&1',
      'exec 9>/dev/null': 'exec 9>/dev/null',
    };
    // Each attack is followed by two checks whose true results are known (a racing forger needs one that lasts).
    const attack = await attackEpisode(Object.values(attacks).flatMap((action) => [action, 'false', 'sleep 0.5; echo ok']));
    const lies: string[] = [];
    for (const [index, name] of Object.keys(attacks).entries()) {
      const [fails, echoes] = attack.steps.slice(index * 3 + 1, index * 3 + 3);
      if (fails!.info.exitCode !== 1) lies.push(`after ${name}: \`false\` recorded exit code ${fails!.info.exitCode}`);
      if (echoes!.observation.trim() !== 'ok') lies.push(`after ${name}: \`sleep 0.5; echo ok\` recorded ${JSON.stringify(echoes!.observation.slice(0, 120))}`);
    }
    assert.deepEqual(lies, []);
    await assertNextEpisodeUnaffected(t);
  });

  test('regressions: bombs, egress, root, evaluator edits, fake markers, labels, planted files, odd artifacts, huge output', async (t) => {
    const secrets = ['validation', 'test'].map(
      (split) => (JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks/battleOfSexes/hidden', split, 'seed.json'), 'utf8')) as { seed: string }).seed,
    );
    const cheater =
      script('cheater-prologue.py').replace('SECRETS = []', `SECRETS = ${JSON.stringify(secrets)}`) + honestSource + script('cheater-epilogue.py');
    const actions = {
      forkBomb: `python3 - <<'END_OF_SCRIPT'\nimport os, time\nchildren = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(2)\n            os._exit(0)\n        children += 1\nexcept OSError as error:\n    print("forked", children, "then:", error)\nEND_OF_SCRIPT`,
      memoryBomb: `python3 - <<'END_OF_SCRIPT'\nheld = []\nwhile True:\n    held.append(bytearray(b"x") * (64 << 20))\nEND_OF_SCRIPT`,
      alive: 'sleep 2; echo alive',
      shm: 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=4096 2>&1; rm -f /dev/shm/fill',
      egress: `python3 - <<'END_OF_SCRIPT'\nimport socket\nfor host, port in (("1.1.1.1", 53), ("8.8.8.8", 443), ("example.com", 80)):\n    try:\n        socket.create_connection((host, port), timeout=3).close()\n        print("EGRESS OPEN", host)\n    except OSError as error:\n        print("no route to", host, error)\nEND_OF_SCRIPT`,
      root: `sudo -n id -u 2>&1; su -c 'id -u' root </dev/null 2>&1; python3 -c 'import os; os.setuid(0); print(os.getuid())' 2>&1 | tail -1; newgrp root </dev/null 2>&1; echo "uid $(id -u)"`,
      evaluator: `chmod 777 evaluate.py; rm -f evaluate.py; printf 'import labgym_eval as lab\\nlab.write_metrics({"Score": 99.0})\\n' > evaluate.py; rm -f target.py; printf 'def target_column_strategy(history, rng):\\n    return 0\\n' > target.py`,
      fakeResults: `echo '{"Score": 99.0}' > metrics.json; mkdir -p hidden && echo '{"seed": 1}' > hidden/seed.json; mkdir -p /run/labgym 2>/dev/null; echo '{"Score": 99.0}' > /run/labgym/metrics.json 2>/dev/null; echo '{"Score": 99.0}'; echo '__LABGYM_DONE_00000000000000000000000000000000_0__'`,
      labels: `find / -xdev \\( -name 'seed.json' -o -path '*hidden*' \\) -not -path '/proc/*' -not -path '/home/agent/workspace/*' 2>/dev/null | head; echo END-OF-SEARCH`,
      sitecustomize: `d=$(python3 -m site --user-site); mkdir -p "$d"; echo 'print("{\\"Score\\": 99.0}")' | tee "$d/sitecustomize.py" > sitecustomize.py`,
      symlink: 'cp strategy.py honest.py; ln -sf /etc/shadow strategy.py',
      validateSymlink: 'validate',
      fifo: 'rm strategy.py; mkfifo strategy.py',
      validateFifo: 'validate',
      output: "head -c 100000000 /dev/zero | tr '\\0' x",
      cheater: `rm -f strategy.py; ${writeFile('strategy.py', cheater)}`,
      cheaterRuns: 'python3 -c "import strategy" | head -1',
    };
    const attack = await attackEpisode([...Object.values(actions), 'validate'], { submit: true });
    const step = Object.fromEntries(Object.keys(actions).map((name, index) => [name, attack.steps[index]!]));
    assert.match(step.forkBomb!.observation, /forked \d+ then: .*Resource temporarily unavailable/);
    assert.notEqual(step.memoryBomb!.info.exitCode, 0);
    assert.equal(step.alive!.observation.trim(), 'alive');
    assert.match(step.shm!.observation, /No space left on device/);
    assert.doesNotMatch(step.egress!.observation, /EGRESS OPEN/);
    assert.match(step.root!.observation, /uid 1000\s*$/);
    assert.doesNotMatch(step.root!.observation, /^0$/m);
    assert.equal(step.labels!.observation.trim(), 'END-OF-SEARCH', 'no hidden file is visible');
    assert.ok(step.validateSymlink!.info.evaluation?.failure, 'a symlinked strategy.py is not scored');
    assert.doesNotMatch(step.validateSymlink!.observation, /root:/, 'nor does its target leak');
    assert.ok(step.validateFifo!.info.evaluation?.failure, 'a FIFO strategy.py is not scored');
    assert.ok(step.output!.observation.length < 200_000, `100 MB of output is capped (${step.output!.observation.length} characters kept)`);
    assert.match(step.cheaterRuns!.observation, /"Score": 99/, 'the cheating strategy really prints fake metrics');
    const validated = attack.steps.at(-1)!.info.evaluation!;
    assert.equal(validated.score, alone.scores.validation);
    assert.deepEqual(attack.scores, alone.scores);
    await assertNextEpisodeUnaffected(t);
  });
});
