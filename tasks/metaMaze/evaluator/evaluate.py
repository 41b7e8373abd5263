"""Evaluate the trained policies in checkpoints/ on MetaMaze-misc (numpy, meta_maze.py).

Every checkpoint (at most 5) plays one episode in each of NUM_ENVS environments whose start states come from the
split's hidden seed. The environment, the episode loop and the returns are computed here; the agent's code
(src/networks.py, through policy_worker.py) runs in its own process as the `agent` user and only sees
observations and answers with actions, one batch per step. "Reward Mean" is the mean episode return over all
episodes of all checkpoints, "Reward Std" their standard deviation.
"""

import base64
import glob
import os

import numpy as np

import labgym_eval as lab
from meta_maze import MetaMaze as Env

NUM_ENVS = 64 if lab.reduced() else 256
MAX_CHECKPOINTS = 5


def encode(observations):
    array = np.ascontiguousarray(observations, dtype=Env.observation_dtype)
    return {"shape": list(array.shape), "dtype": array.dtype.name, "data": base64.b64encode(array.tobytes()).decode()}


def check_actions(raw, count):
    """The policy's answer as (count,) action indices; anything else (a wrong shape, a non-integer, an index
    outside 0..NUM_ACTIONS-1) fails the evaluation."""
    try:
        actions = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        lab.fail("act must return %d integer actions (one per observation), got %.200r" % (count, raw))
    if actions.shape not in ((count,), (count, 1)):
        lab.fail("act must return %d actions (shape (%d,)), got shape %s" % (count, count, actions.shape))
    actions = actions.reshape(count)
    valid = np.isfinite(actions) & (actions == np.round(actions)) & (actions >= 0) & (actions < Env.num_actions)
    if not valid.all():
        lab.fail("act returned an invalid action %r; actions are integers 0..%d" % (actions[~valid][0], Env.num_actions - 1))
    return actions.astype(np.int64)


def run_checkpoint(policy, path, env_seed, policy_seed):
    policy.call("load", path, policy_seed)
    env = Env(NUM_ENVS, env_seed)
    observations = env.reset()
    returns = np.zeros(NUM_ENVS)
    active = np.ones(NUM_ENVS, dtype=bool)
    for _ in range(env.max_steps):
        playing = np.flatnonzero(active)
        actions = np.zeros(NUM_ENVS, dtype=np.int64)
        actions[playing] = check_actions(policy.call("act", encode(observations[playing])), len(playing))
        observations, rewards, dones = env.step(actions)
        returns[playing] += rewards[playing]
        active &= ~dones
        if not active.any():
            break
    return returns


def main():
    seed = lab.hidden_json("seed.json", {"seed": 0})["seed"]
    checkpoints = sorted(path for path in glob.glob("checkpoints/**", recursive=True) if os.path.isfile(path))
    if not checkpoints:
        lab.fail("no checkpoint found in checkpoints/ (train with `python src/train.py`)")
    if len(checkpoints) > MAX_CHECKPOINTS:
        lab.fail("found %d files in checkpoints/; keep at most %d checkpoints there" % (len(checkpoints), MAX_CHECKPOINTS))
    # The environments' seed never reaches the agent's process; its policy gets its own sampling seed.
    env_seed, policy_seed = np.random.default_rng(seed).integers(0, 2**31, size=2).tolist()
    try:
        with lab.untrusted_module("policy_worker.py", seed=policy_seed) as policy:
            returns = [run_checkpoint(policy, path, env_seed, policy_seed + i) for i, path in enumerate(checkpoints)]
    except lab.SubmissionError as error:
        lab.fail(str(error))
    returns = np.concatenate(returns)
    lab.write_metrics({"Reward Mean": returns.mean(), "Reward Std": returns.std()})


if __name__ == "__main__":
    main()
