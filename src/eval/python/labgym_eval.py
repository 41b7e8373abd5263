"""Helpers for labgym evaluators (installed in every task image; the agent cannot change them).

An evaluator runs as root in a fresh sandbox. It must never import or execute the agent's code itself: agent
code runs in a worker process as the unprivileged `agent` user (`untrusted_module`), and only plain data (JSON)
crosses between the two. The worker cannot read the hidden files (root-only), cannot write the metrics file
(root-only), and whatever it prints is not taken as metrics.

    import labgym_eval as lab
    strategy = lab.untrusted_module("strategy.py")
    move = strategy.call("row_strategy", history)
    lab.write_metrics({"Score": 1.23})

Shared evaluators for families of tasks (a task's evaluate.py passes only what is task-specific):
`score_classification` (a submission.csv of integer class labels scored by accuracy) and `evaluate_rl` (trained
policies in checkpoints/ play an environment the evaluator runs; the agent's src/networks.py is served by
`untrusted_policy`, in its own process).
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



# ---- Classification tasks: submission.csv (id, label) of integer classes, scored by accuracy ----------------------


def read_label_submission(path):
    """submission.csv as a DataFrame with integer columns id and label (one row per id); anything else fails."""
    import pandas as pd

    try:
        submission = pd.read_csv(path)
    except Exception as error:  # any unreadable file is the submission's fault
        fail("cannot read %s as CSV: %s" % (path, error))
    missing = {"id", "label"} - set(submission.columns)
    if missing:
        fail("%s lacks the column(s) %s; it needs id and label, like data/sample_submission.csv (found: %s)"
             % (path, ", ".join(sorted(missing)), ", ".join(map(str, submission.columns)) or "none"))
    for column in ("id", "label"):
        values = pd.to_numeric(submission[column], errors="coerce")
        bad = values.isna() | (values != values.round())
        if bad.any():
            first = int(bad.idxmax())
            fail("%s: column %s must hold integers (line %d has %r)" % (path, column, first + 2, submission[column][first]))
        submission[column] = values.astype(int)
    return submission.drop_duplicates("id")


def score_classification(inputs, submission_file=None, answers="answers.csv", metric="accuracy"):
    """The whole evaluator of a classification task: reads `--submission_file` (default submission.csv; or
    `submission_file`), compares its labels with the split's hidden `answers` (columns id, label) and reports
    `metric` = the fraction of the split's rows predicted right. `inputs` names the agent's unlabelled file in
    messages (e.g. "test_images.npy"). A missing id fails the evaluation; ids of the other split are ignored."""
    import pandas as pd

    if submission_file is None:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--submission_file", default="submission.csv")
        submission_file = parser.parse_args().submission_file
    submission = read_label_submission(submission_file)
    if not os.path.exists(hidden_path(answers)):
        fail("the labels are hidden from the workspace; use the validate command to score a submission")
    truth = pd.read_csv(hidden_path(answers))
    merged = truth.merge(submission[["id", "label"]], on="id", how="left", suffixes=("", "_predicted"))
    absent = merged["label_predicted"].isna()
    if absent.any():
        fail("%s has no prediction for %d images of %s (e.g. id %d)"
             % (submission_file, int(absent.sum()), inputs, int(merged["id"][absent].iloc[0])))
    accuracy = float((merged["label_predicted"].astype(int) == merged["label"]).mean())
    write_metrics({metric: accuracy})


# ---- RL tasks: trained policies in checkpoints/ play an environment the evaluator runs -----------------------------


def _encode_array(array, dtype):
    import base64

    import numpy as np

    array = np.ascontiguousarray(array, dtype=dtype)
    return {"shape": list(array.shape), "dtype": array.dtype.name, "data": base64.b64encode(array.tobytes()).decode()}


def _decode_array(encoded):
    import base64

    import numpy as np

    array = np.frombuffer(base64.b64decode(encoded["data"]), dtype=encoded["dtype"])
    return array.reshape(encoded["shape"])


# The policy side, run in the agent's worker process (which loads this file as its module); never in the evaluator.
_policy_module = None
_policy = None


def _policy_import(src, module):
    global _policy_module
    import importlib

    sys.path.insert(0, os.path.join(os.getcwd(), src))
    _policy_module = importlib.import_module(module)
    return True


def _policy_load(factory, path, seed):
    global _policy
    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
        torch.manual_seed(seed)
        torch.set_num_threads(1)
    except ImportError:
        pass
    _policy = getattr(_policy_module, factory)(path)
    return True


def _policy_act(observations):
    import numpy as np

    array = _decode_array(observations).astype(np.float32)
    actions = np.asarray(_policy(array))
    return actions.tolist()


class UntrustedPolicy:
    """The agent's policy: `<src>/<module>.py` (src/networks.py) imported in a worker process as the `agent` user
    (the evaluator never imports it). `load(path, seed)` calls `<factory>(path)` there (load_policy, after seeding
    random, numpy and torch with `seed`); `act(observations)` sends a batch of observations (a numpy array,
    sent as `observation_dtype`, received as float32) and returns the policy's answer as JSON data, unchecked."""

    def __init__(self, seed, src="src", module="networks", factory="load_policy", observation_dtype="float32", timeout=None):
        self._factory = factory
        self._dtype = observation_dtype
        self._worker = UntrustedModule(os.path.abspath(__file__), seed=seed, timeout=timeout)
        try:
            self._worker._request("_policy_import", [src, module], False, "loading %s/%s.py" % (src, module))
        except BaseException:
            self._worker.close()
            raise

    def load(self, path, seed):
        return self._worker._request("_policy_load", [self._factory, path, seed], False, "calling %s" % self._factory)

    def act(self, observations):
        return self._worker._request("_policy_act", [_encode_array(observations, self._dtype)], False, "calling act")

    def close(self):
        self._worker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def untrusted_policy(seed, src="src", module="networks", factory="load_policy", observation_dtype="float32", timeout=None):
    """The agent's src/networks.py served in its own process as `agent` (see UntrustedPolicy)."""
    return UntrustedPolicy(seed, src, module, factory, observation_dtype, timeout)


def discrete_actions(num_actions):
    """An `evaluate_rl` action check: the policy answers with `count` integers 0..num_actions-1 (shape (n,) or
    (n, 1)); anything else fails the evaluation."""
    import numpy as np

    def check(raw, count):
        try:
            actions = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            fail("act must return %d integer actions (one per observation), got %.200r" % (count, raw))
        if actions.shape not in ((count,), (count, 1)):
            fail("act must return %d actions (shape (%d,)), got shape %s" % (count, count, actions.shape))
        actions = actions.reshape(count)
        valid = np.isfinite(actions) & (actions == np.round(actions)) & (actions >= 0) & (actions < num_actions)
        if not valid.all():
            fail("act returned an invalid action %r; actions are integers 0..%d" % (actions[~valid][0], num_actions - 1))
        return actions.astype(np.int64)

    check.dtype = np.int64
    return check


def continuous_actions(low, high, name="force"):
    """An `evaluate_rl` action check: the policy answers with `count` numbers (shape (n,) or (n, 1)), clipped to
    [low, high]; non-numbers or a wrong shape fail the evaluation. `name` is what an action is called in messages."""
    import numpy as np

    def check(raw, count):
        try:
            actions = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            fail("act must return %d numbers (one %s per observation), got %.200r" % (count, name, raw))
        if actions.shape not in ((count,), (count, 1)):
            fail("act must return %d %ss (shape (%d,) or (%d, 1)), got shape %s" % (count, name, count, count, actions.shape))
        if not np.all(np.isfinite(actions)):
            fail("act returned a %s that is not a finite number" % name)
        return np.clip(actions.reshape(count), low, high)

    check.dtype = np.float64
    return check


def evaluate_rl(env_class, check_actions, num_envs=None, max_checkpoints=5, checkpoints="checkpoints",
                train_hint="python src/train.py"):
    """The whole evaluator of an RL task. Every file under `checkpoints/` (at most `max_checkpoints`) is loaded
    with the agent's `load_policy(path)` (`untrusted_policy`) and plays one episode in each of `num_envs`
    (default 256, 64 at the reduced scale) environments whose start states come from the split's hidden seed
    (hidden seed.json, {"seed": 0} when absent). The evaluator runs the environment, the episode loop and the
    returns; the policy gets a batch of observations of the environments still playing each step, and
    `check_actions(raw, count)` (`discrete_actions` / `continuous_actions`) turns its answer into actions or fails.

    `env_class(num_envs, seed)` must provide `reset() -> observations`, `step(actions) -> (observations, rewards,
    dones)` (numpy arrays, one row per environment), `max_steps` and `observation_dtype`.
    Reports "Reward Mean" (mean episode return over all episodes of all checkpoints) and "Reward Std"."""
    import glob

    import numpy as np

    if num_envs is None:
        num_envs = 64 if reduced() else 256
    seed = hidden_json("seed.json", {"seed": 0})["seed"]
    paths = sorted(path for path in glob.glob(os.path.join(checkpoints, "**"), recursive=True) if os.path.isfile(path))
    if not paths:
        fail("no checkpoint found in %s/ (train with `%s`)" % (checkpoints, train_hint))
    if len(paths) > max_checkpoints:
        fail("found %d files in %s/; keep at most %d checkpoints there" % (len(paths), checkpoints, max_checkpoints))
    # The environments' seed never reaches the agent's process; its policy gets its own sampling seed.
    env_seed, policy_seed = np.random.default_rng(seed).integers(0, 2**31, size=2).tolist()

    def run_checkpoint(policy, path, policy_seed):
        policy.load(path, policy_seed)
        env = env_class(num_envs, env_seed)
        observations = env.reset()
        returns = np.zeros(num_envs)
        active = np.ones(num_envs, dtype=bool)
        for _ in range(env.max_steps):
            playing = np.flatnonzero(active)
            actions = np.zeros(num_envs, dtype=check_actions.dtype)
            actions[playing] = check_actions(policy.act(observations[playing]), len(playing))
            observations, rewards, dones = env.step(actions)
            returns[playing] += rewards[playing]
            active &= ~dones
            if not active.any():
                break
        return returns

    try:
        with untrusted_policy(policy_seed, observation_dtype=env_class.observation_dtype) as policy:
            returns = [run_checkpoint(policy, path, policy_seed + i) for i, path in enumerate(paths)]
    except SubmissionError as error:
        fail(str(error))
    returns = np.concatenate(returns)
    write_metrics({"Reward Mean": returns.mean(), "Reward Std": returns.std()})
