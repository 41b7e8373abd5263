"""Helpers for labgym evaluators (installed in every task image; the agent cannot change them).

An evaluator runs as root in a fresh sandbox. It must never import or execute the agent's code itself: agent
code runs in a worker process as the unprivileged `agent` user (`untrusted_module`), and only plain data (JSON)
crosses between the two, each call with a timeout. The worker cannot read the hidden files (root-only), cannot
write in the workspace (root-owned, read-only to others) nor the metrics file (root-only), and whatever it prints
is not believed: the metrics (`write_metrics`) and the failure message (`fail`) reach labgym only through that file.
Once the result is written, every process of the agent is killed. An uncaught exception (a reply the evaluator did
not expect) still ends as a one-line failure.

    import labgym_eval as lab
    strategy = lab.untrusted_module("strategy.py")
    move = strategy.call("row_strategy", history)
    lab.write_metrics({"Score": 1.23})

Shared evaluators for families of tasks (a task's evaluate.py passes only what is task-specific), in submodules
re-exported here: `score_classification` (classification.py: a submission.csv of integer class labels scored by
accuracy) and `evaluate_rl` (rl.py: trained policies in checkpoints/ play an environment the evaluator runs; the
agent's src/networks.py is served by `untrusted_policy`, in its own process running policy_worker.py).
"""

import hashlib
import json
import os
import pwd
import random
import select
import subprocess
import sys
import tempfile
import time

SPLIT = os.environ.get("LABGYM_SPLIT", "validation")
SEED = int(os.environ.get("LABGYM_SEED", "0"))
SCALE = os.environ.get("LABGYM_SCALE", "full")
HIDDEN = os.environ.get("LABGYM_HIDDEN", "hidden")


def reduced():
    """True in the reduced (CI) scale: evaluators use fewer simulations or instances, same code path."""
    return SCALE == "reduced"


def hidden_path(*parts):
    """Path of a hidden file of the split being scored (labels, held-out seeds)."""
    return os.path.join(HIDDEN, *parts)


def hidden_json(name, default=None):
    """A hidden JSON file of the split being scored, or `default` when it is absent (the agent running evaluate.py)."""
    try:
        with open(hidden_path(name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def derived_number(secret, label):
    """A 64-bit number derived from a hidden secret (e.g. a split's seed string); it reveals nothing about the secret."""
    digest = hashlib.blake2b(label.encode(), key=str(secret).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class KeyedRandom(random.Random):
    """A random.Random whose draws come from a keyed hash of a counter. Unlike the Mersenne Twister, its state
    cannot be reconstructed from outputs the agent's code observes (an opponent's moves), so seeding an opponent
    with it keeps the hidden seed hidden. Give the agent's worker `derived_number(secret, "worker")` as its seed."""

    def __init__(self, secret, label="opponent"):
        self._secret = str(secret)
        self._label = label
        self._count = 0
        super().__init__(0)

    def random(self):
        self._count += 1
        return (derived_number(self._secret, "%s %d" % (self._label, self._count)) >> 11) / 2**53


_reported = False


def _report(result):
    """Write the result ({"metrics": ...} or {"failure": ...}) to the root-only file labgym reads (nothing else is
    believed), then end the agent's processes: the evaluator never waits on them once it has its result."""
    global _reported
    _reported = True
    path = os.environ.get("LABGYM_METRICS_FILE")
    if path:
        with open(path, "w") as f:
            json.dump(result, f)
    _kill_agent_processes()


def write_metrics(metrics):
    """Report the metrics: to the root-only metrics file labgym reads, and to stdout for people."""
    clean = {}
    for name, value in metrics.items():
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("metric %s is not a finite number: %r" % (name, value))
        clean[name] = value
    _report({"metrics": clean})
    print(json.dumps(clean), flush=True)


class SubmissionError(Exception):
    """The submission is unusable (missing function, crash, bad answer). The message is shown to the agent."""


def _one_line(text, limit=2000):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def fail(message):
    """End the evaluation with a message for the agent (one line, through the metrics file) and no metrics."""
    message = _one_line(message)
    _report({"failure": message})
    print("Evaluation failed: %s" % message, file=sys.stderr, flush=True)
    sys.exit(3)


def _crashed(kind, error, trace):
    """An uncaught exception in the evaluator (say a reply it did not expect) still ends in a one-line failure."""
    if not _reported and kind is not KeyboardInterrupt:
        try:
            summary = "%s: %s" % (kind.__name__, _one_line(error, 300))
        except Exception:
            summary = kind.__name__
        _report({"failure": "the evaluation could not use the submission's answer (%s)" % summary})
    sys.__excepthook__(kind, error, trace)


sys.excepthook = _crashed


def _kill_agent_processes(user="agent"):
    """Kill every process of `user` (only as root, i.e. inside the throwaway evaluation sandbox, where nothing else
    runs as the agent), again until none is left, so nothing it forked lives on."""
    if os.geteuid() != 0:
        for worker in list(_WORKERS):
            worker.kill()
        return
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return
    for _ in range(20):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/status" % pid) as f:
                    real_uid = next(line for line in f if line.startswith("Uid:")).split()[1]
                if int(real_uid) == uid:
                    os.kill(int(pid), 9)
                    found = True
            except (OSError, StopIteration, ValueError):
                pass
        if not found:
            return
        time.sleep(0.01)


_WORKER = r"""
import importlib.util, json, os, sys
channel_in = os.fdopen(int(sys.argv[2]), "r")
channel_out = os.fdopen(int(sys.argv[3]), "w")
sys.stdout = sys.stderr  # the agent's prints must not reach the protocol
import random
random.seed(int(os.environ.get("LABGYM_WORKER_SEED", "0")))
spec = importlib.util.spec_from_file_location("submission", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
def send(reply):
    try:
        text = json.dumps(reply)
    except BaseException as error:
        text = json.dumps({"error": "the result is not JSON data: %s" % type(error).__name__})
    channel_out.write(text + "\n"); channel_out.flush()
try:
    spec.loader.exec_module(module)
    send({"value": True})
except BaseException as error:
    send({"error": "%s: %s" % (type(error).__name__, error)})
    sys.exit(1)
for line in channel_in:
    name, args, many = json.loads(line)
    try:
        function = getattr(module, name)
        reply = {"value": [function(*each) for each in args] if many else function(*args)}
    except BaseException as error:
        reply = {"error": "%s: %s" % (type(error).__name__, error)}
    send(reply)
"""

DEFAULT_TIMEOUT = float(os.environ.get("LABGYM_CALL_TIMEOUT", "10"))
DEFAULT_LOAD_TIMEOUT = 60.0
MAX_REPLY_BYTES = 64 << 20
_WORKERS = set()


class UntrustedModule:
    """A Python file of the agent's, loaded in a separate process as the `agent` user; call its functions with JSON
    data. The process starts in `cwd` (default: the evaluator's, the root-owned workspace it can only read), with a
    fresh temporary folder of its own as TMPDIR. Any reply that is late, too large or malformed, and any death of
    the process, is a SubmissionError with a one-line message."""

    def __init__(self, path, user="agent", seed=None, timeout=None, load_timeout=None, cwd=None):
        """`seed` seeds the worker's `random`; never pass a hidden seed itself (the agent's code can read it).
        `timeout`: seconds a call may take (default LABGYM_CALL_TIMEOUT, 10); `load_timeout`: for loading the file
        (default 60); past it the worker is killed (SubmissionError)."""
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._pending = b""
        self._process = None
        if not os.path.isfile(path):
            raise SubmissionError("%s not found" % path)
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        argv = [sys.executable, "-c", _WORKER, path, str(to_worker_r), str(from_worker_w)]
        scratch = tempfile.mkdtemp(prefix="labgym-worker-")
        if os.geteuid() == 0:
            account = pwd.getpwnam(user)
            os.chown(scratch, account.pw_uid, account.pw_gid)
            argv = ["setpriv", "--reuid=%d" % account.pw_uid, "--regid=%d" % account.pw_gid, "--clear-groups", "--"] + argv
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,
            pass_fds=(to_worker_r, from_worker_w),
            cwd=cwd,
            start_new_session=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/%s" % user, "PYTHONUNBUFFERED": "1",
                 "TMPDIR": scratch, "OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1", "LABGYM_SCALE": SCALE,
                 "LABGYM_WORKER_SEED": str(SEED if seed is None else seed)},
        )
        _WORKERS.add(self)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._send = os.fdopen(to_worker_w, "w")
        self._receive = from_worker_r
        try:
            self._read_reply("loading %s" % path, DEFAULT_LOAD_TIMEOUT if load_timeout is None else load_timeout)
        except BaseException:
            self.close()
            raise

    def _readline(self, what, timeout):
        deadline = time.monotonic() + timeout
        chunks = [self._pending]
        size = len(self._pending)
        while b"\n" not in chunks[-1]:
            if not select.select([self._receive], [], [], max(0.0, deadline - time.monotonic()))[0]:
                self.kill()
                raise SubmissionError("%s took longer than %g s" % (what, timeout))
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise SubmissionError("the submission's process ended while %s" % what)
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                self.kill()
                raise SubmissionError("the reply to %s is larger than %d MiB" % (what, MAX_REPLY_BYTES >> 20))
            chunks.append(chunk)
        line, self._pending = b"".join(chunks).split(b"\n", 1)
        return line

    def _read_reply(self, what, timeout=None):
        line = self._readline(what, self._timeout if timeout is None else timeout)
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            raise SubmissionError("the submission's process garbled its reply while %s" % what) from None
        if not isinstance(reply, dict) or not ("value" in reply or "error" in reply):
            raise SubmissionError("the submission's process garbled its reply while %s" % what)
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], str) else "an error"
            raise SubmissionError("%s raised %s" % (what, _one_line(error, 500)))
        return reply["value"]

    def call(self, name, *args):
        """Call `name(*args)` in the worker; arguments and result are JSON values."""
        return self._request(name, list(args), False)

    def map(self, name, argument_lists):
        """Call `name(*args)` for each args in `argument_lists` with one round trip; returns the list of results."""
        values = self._request(name, [list(args) for args in argument_lists], True)
        if not isinstance(values, list) or len(values) != len(argument_lists):
            raise SubmissionError("calling %s returned a malformed batch" % name)
        return values

    def _request(self, name, args, many, what=None, timeout=None):
        what = what or "calling %s" % name
        try:
            self._send.write(json.dumps([name, args, many]) + "\n")
            self._send.flush()
        except OSError:
            raise SubmissionError("the submission's process ended before %s" % what) from None
        return self._read_reply(what, timeout)

    def kill(self):
        """End the worker and everything it started in its session, now."""
        if self._process is not None and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, 9)
            except OSError:
                self._process.kill()
            self._process.wait()

    def close(self):
        _WORKERS.discard(self)
        self.kill()
        for close in (self._send.close, lambda: os.close(self._receive)):
            try:
                close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def untrusted_module(path, user="agent", seed=None, timeout=None, load_timeout=None, cwd=None):
    return UntrustedModule(path, user, seed, timeout, load_timeout, cwd)


# The shared evaluators use the helpers above, so they are imported last.
from labgym_eval.classification import read_label_submission, score_classification  # noqa: E402
from labgym_eval.rl import UntrustedPolicy, continuous_actions, discrete_actions, evaluate_rl, untrusted_policy  # noqa: E402
