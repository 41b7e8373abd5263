"""RL tasks: trained policies in checkpoints/ play an environment the evaluator runs; the agent's policy is served by
policy_worker.py in its own process as the `agent` user, and only JSON crosses."""

import os

from labgym_eval import DEFAULT_LOAD_TIMEOUT, SubmissionError, UntrustedModule, fail, hidden_json, reduced, write_metrics
from labgym_eval.policy_worker import encode_array

_WORKER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policy_worker.py")


class UntrustedPolicy:
    """The agent's policy: `<src>/<module>.py` (src/networks.py) imported in a worker process as the `agent` user
    (the evaluator never imports it). `load(path, seed)` calls `<factory>(path)` there (load_policy, after seeding
    random, numpy and torch with `seed`); `act(observations)` sends a batch of observations (a numpy array,
    sent as `observation_dtype`, received as float32) and returns the policy's answer as JSON data, unchecked."""

    def __init__(self, seed, src="src", module="networks", factory="load_policy", observation_dtype="float32", timeout=None):
        self._factory = factory
        self._dtype = observation_dtype
        self._worker = UntrustedModule(_WORKER_FILE, seed=seed, timeout=timeout)
        try:
            self._worker._request("_policy_import", [os.path.abspath(src), module], False, "loading %s/%s.py" % (src, module),
                                  DEFAULT_LOAD_TIMEOUT)
        except BaseException:
            self._worker.close()
            raise

    def load(self, path, seed):
        return self._worker._request("_policy_load", [self._factory, os.path.abspath(path), seed], False,
                                     "calling %s" % self._factory, DEFAULT_LOAD_TIMEOUT)

    def act(self, observations):
        return self._worker._request("_policy_act", [encode_array(observations, self._dtype)], False, "calling act")

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
