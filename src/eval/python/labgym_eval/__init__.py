"""Helpers for labgym evaluators (installed in every task image; the agent cannot change them).

An evaluator runs as root in a fresh sandbox. It must never import or execute the agent's code itself: agent
code runs in a worker process as the unprivileged `agent` user (`untrusted_module`), and only plain data (JSON)
crosses between the two. The worker cannot read the hidden files (root-only), cannot write the metrics file
(root-only), and whatever it prints is not taken as metrics.

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


def write_metrics(metrics):
    """Report the metrics: to the root-only metrics file labgym reads, and to stdout for people."""
    clean = {}
    for name, value in metrics.items():
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("metric %s is not a finite number: %r" % (name, value))
        clean[name] = value
    path = os.environ.get("LABGYM_METRICS_FILE")
    if path:
        with open(path, "w") as f:
            json.dump(clean, f)
    print(json.dumps(clean), flush=True)


class SubmissionError(Exception):
    """The submission is unusable (missing function, crash, bad answer). The message is shown to the agent."""


def fail(message):
    """End the evaluation with a message for the agent and no metrics."""
    print("Evaluation failed: %s" % message, file=sys.stderr, flush=True)
    sys.exit(3)


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
try:
    spec.loader.exec_module(module)
    channel_out.write(json.dumps({"ok": True}) + "\n"); channel_out.flush()
except BaseException as error:
    channel_out.write(json.dumps({"error": "%s: %s" % (type(error).__name__, error)}) + "\n"); channel_out.flush()
    sys.exit(1)
for line in channel_in:
    name, args, many = json.loads(line)
    try:
        function = getattr(module, name)
        reply = {"value": [function(*each) for each in args] if many else function(*args)}
    except BaseException as error:
        reply = {"error": "%s: %s" % (type(error).__name__, error)}
    try:
        text = json.dumps(reply)
    except (TypeError, ValueError) as error:
        text = json.dumps({"error": "the result is not JSON data: %s" % error})
    channel_out.write(text + "\n"); channel_out.flush()
"""


class UntrustedModule:
    """A Python file of the agent's, loaded in a separate process as the `agent` user; call its functions with JSON data."""

    def __init__(self, path, user="agent", seed=None, timeout=None):
        """`seed` seeds the worker's `random`; never pass a hidden seed itself (the agent's code can read it).
        `timeout`: seconds a load or a call may take before the worker is killed (SubmissionError)."""
        self._timeout = timeout
        self._pending = b""
        if not os.path.isfile(path):
            raise SubmissionError("%s not found" % path)
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        argv = [sys.executable, "-c", _WORKER, path, str(to_worker_r), str(from_worker_w)]
        if os.geteuid() == 0:
            account = pwd.getpwnam(user)
            argv = ["setpriv", "--reuid=%d" % account.pw_uid, "--regid=%d" % account.pw_gid, "--init-groups", "--"] + argv
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,
            pass_fds=(to_worker_r, from_worker_w),
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/%s" % user, "PYTHONUNBUFFERED": "1",
                 "OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1", "LABGYM_SCALE": SCALE,
                 "LABGYM_WORKER_SEED": str(SEED if seed is None else seed)},
        )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._send = os.fdopen(to_worker_w, "w")
        self._receive = from_worker_r
        self._read_reply("loading %s" % path)

    def _readline(self, what):
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        chunks = [self._pending]
        while b"\n" not in chunks[-1]:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._receive], [], [], wait)[0]:
                self._process.kill()
                raise SubmissionError("%s took longer than %s s" % (what, self._timeout))
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise SubmissionError("the submission's process ended while %s" % what)
            chunks.append(chunk)
        line, self._pending = b"".join(chunks).split(b"\n", 1)
        return line

    def _read_reply(self, what):
        try:
            reply = json.loads(self._readline(what))
        except ValueError:
            raise SubmissionError("the submission's process garbled its reply while %s" % what)
        if "error" in reply:
            raise SubmissionError("%s raised %s" % (what, reply["error"]))
        return reply.get("value")

    def call(self, name, *args):
        """Call `name(*args)` in the worker; arguments and result are JSON values."""
        return self._request(name, list(args), False)

    def map(self, name, argument_lists):
        """Call `name(*args)` for each args in `argument_lists` with one round trip; returns the list of results."""
        values = self._request(name, [list(args) for args in argument_lists], True)
        if not isinstance(values, list) or len(values) != len(argument_lists):
            raise SubmissionError("calling %s returned a malformed batch" % name)
        return values

    def _request(self, name, args, many, what=None):
        self._send.write(json.dumps([name, args, many]) + "\n")
        self._send.flush()
        return self._read_reply(what or "calling %s" % name)

    def close(self):
        try:
            self._send.close()
        except OSError:
            pass
        os.close(self._receive)
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def untrusted_module(path, user="agent", seed=None, timeout=None):
    return UntrustedModule(path, user, seed, timeout)


# The shared evaluators use the helpers above, so they are imported last.
from labgym_eval.classification import read_label_submission, score_classification  # noqa: E402
from labgym_eval.rl import UntrustedPolicy, continuous_actions, discrete_actions, evaluate_rl, untrusted_policy  # noqa: E402
