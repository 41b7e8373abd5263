/**
 * A sandbox's workspace between episodes: a reset that proves itself (no process of the agent left, every writable
 * place as new, the root file system as created) or throws, and the filling with a task's starting files. Shared by
 * LabgymEnv (same-image reuse) and the generator's warm pool, which does both in the background.
 */

import type { Sandbox } from '../sandbox/index.js';
import * as aci from './aci/index.js';
import type { EnvTask } from './task.js';

export const WORKSPACE = '/home/agent/workspace';

/** How a reset went: how long it took (kill, wipe, proof, fresh shell). */
export interface WipeResult {
  readonly durationMs: number;
}

/** The sandbox's root file system changes (Docker's diff) as its first fill found them: what every reset must give back. */
const pristine = new WeakMap<Sandbox, readonly string[]>();

/** Places the agent may write (tmpfs mounts), emptied by every reset; its home then gets /etc/skel back. */
const AGENT_PLACES = `${WORKSPACE} /home/agent /tmp /var/tmp /dev/shm /dev/mqueue`;
/** The sandbox's shell state: the harness's output FIFO stays, the agent's state folders go. */
const SHELL_STATE = '/run/labgym/shell';

// Run as root, as few processes as may be (a reset's time is mostly theirs). The agent is uid and gid 1000.
const RESTORE_HOME = `cp -a /etc/skel/. /home/agent/ && chown -R 1000:1000 /home/agent && chmod 0755 /home/agent ${WORKSPACE}`;

/** Remove every extended attribute (user.*, POSIX ACLs) under the given places, reset their roots' times, and check none is left. */
const CLEAR_ROOT_METADATA = [
  'import errno, os, sys',
  'def names(path):',
  '    try:',
  '        return os.listxattr(path, follow_symlinks=False)',
  '    except OSError as error:',
  '        if error.errno in (errno.ENOTSUP, errno.EOPNOTSUPP): return []',
  '        raise',
  'for place in sys.argv[1:]:',
  '    os.utime(place)',
  '    for root, dirs, files in os.walk(place):',
  '        for path in [root] + [os.path.join(root, name) for name in dirs + files]:',
  '            for name in names(path):',
  '                os.removexattr(path, name, follow_symlinks=False)',
  '            assert not names(path), path',
].join('\n');

const WIPE = `set -u
fail() { echo "$*" >&2; exit 1; }
agent_processes() { awk '/^(Uid|Gid):/ { for (i = 2; i <= 5; i++) if ($i == 1000) { print FILENAME; nextfile } }' /proc/[0-9]*/status 2>/dev/null; }
# kill(-1) as the agent signals all its processes at once, so one forking again cannot slip out; then its SysV IPC
# objects go (only their owner may remove them).
while ((SECONDS < 5)); do
  setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'kill -KILL -1 2>/dev/null; exec ipcrm -a'
  left=$(agent_processes); [ -z "$left" ] && break
  sleep 0.02
done
[ -z "$left" ] || fail "processes of the agent survive: $left"
places=; emptied=
for place in ${AGENT_PLACES}; do [ -d "$place" ] && places="$places $place" && [ "$place" != /home/agent ] && emptied="$emptied $place"; done
find $places -mindepth 1 -maxdepth 1 -xdev ! -path ${WORKSPACE} -exec rm -rf --one-file-system {} +
[ -d ${SHELL_STATE} ] && find ${SHELL_STATE} -mindepth 1 -maxdepth 1 -user 1000 -exec rm -rf {} +
${RESTORE_HOME} && chmod 1777 /tmp /var/tmp /dev/shm
# The emptied places' own roots keep what the agent set on them: extended attributes (user.*, ACLs) and times.
python3 -c "${CLEAR_ROOT_METADATA}" $places || fail "extended attributes survive"
# The proof: the root is read-only, each place of the agent is as new, and no other writable file is the agent's.
awk '$2 == "/" && $4 !~ /^ro/ { exit 1 }' /proc/self/mounts || fail "the root file system is writable"
awk 'END { exit NR != 3 }' /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem || fail "SysV IPC objects survive"
left=$(find $emptied -mindepth 1 -print -quit); [ -z "$left" ] || fail "not emptied: $left"
home=$(cd /home/agent && find . -xdev -printf '%U:%G %m %y %p\\n' | LC_ALL=C sort)
skeleton=$(cd /etc/skel && { find . -mindepth 1 -printf '1000:1000 %m %y %p\\n'; echo '1000:1000 755 d .'; echo '1000:1000 755 d ./workspace'; } | LC_ALL=C sort)
[ "$home" = "$skeleton" ] || fail "the agent's home is not its skeleton: $(echo "$home" | grep -vxF "$skeleton" | head -3)"
writable=$(awk '$4 ~ /^rw/ && $3 !~ /^(proc|sysfs|cgroup2?|devpts)$/ && $2 !~ /^\\/(proc|sys)\\// && $2 !~ /^\\/home\\/agent/ { print $2 }' /proc/self/mounts)
owned=$(find $writable -xdev \\( -uid 1000 -o -gid 1000 -o \\( -perm -0002 ! -perm -1000 ! -type l ! -type c ! -type p \\) \\) -print 2>&1 | head -3)
[ -z "$owned" ] || fail "the agent still owns or may write: $owned"
`;

/**
 * Make a used sandbox as new: kill every process of the agent, empty every place it may write, restore its home,
 * prove all of that and that the root file system is as created, then start a fresh shell with fresh ACI state.
 * @throws when the sandbox cannot be wiped or proven clean (then replace it, don't reuse it)
 */
export async function wipeSandbox(sandbox: Sandbox): Promise<WipeResult> {
  const started = performance.now();
  const wiped = await sandbox.run(['bash', '-c', WIPE], { timeoutMs: 120_000 });
  if (wiped.exitCode !== 0) throw new Error(`sandbox ${sandbox.id.slice(0, 12)} cannot be proven clean: ${wiped.stderr.trim() || `exit ${wiped.exitCode}`}`);
  const expected = pristine.get(sandbox);
  const changes = await sandbox.rootfsChanges();
  if (!expected || changes.join('\n') !== expected.join('\n'))
    throw new Error(
      `sandbox ${sandbox.id.slice(0, 12)}: its root file system is not as created (${changes.filter((line) => !expected?.includes(line)).join(', ')})`,
    );
  await sandbox.restartShell();
  const sourced = await sandbox.exec(aci.aciResetCommand());
  if (sourced.exitCode !== 0) throw new Error(sourced.output);
  return { durationMs: performance.now() - started };
}

/**
 * Copy the task's starting files into a clean workspace and make its data links. The first fill of a sandbox also
 * gives the agent its home skeleton and records the root file system's changes, which every reset must reproduce.
 */
export async function fillWorkspace(sandbox: Sandbox, task: Pick<EnvTask, 'workspace' | 'links'>): Promise<void> {
  if (!pristine.has(sandbox)) {
    const home = await sandbox.run(['bash', '-c', RESTORE_HOME]);
    if (home.exitCode !== 0) throw new Error(`the agent's home cannot be made: ${home.stderr.trim()}`);
    pristine.set(sandbox, await sandbox.rootfsChanges());
  }
  for (const item of task.workspace) {
    const destination = item.destination ? `${WORKSPACE}/${item.destination}` : WORKSPACE;
    await sandbox.copyIn(item.hostPath, destination, { owner: item.readOnly ? 'root' : 'agent' });
  }
  for (const [path, target] of Object.entries(task.links ?? {})) {
    const linked = await sandbox.run(['ln', '-sfn', target, `${WORKSPACE}/${path}`]);
    if (linked.exitCode !== 0) throw new Error(`linking ${path} -> ${target} in the workspace failed: ${linked.stderr.trim()}`);
  }
}
