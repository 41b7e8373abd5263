"""Loaded by evaluate.py in a separate process as the `agent` user: it serves the submitted policy.

It imports src/networks.py from the workspace and calls `networks.load_policy(checkpoint_path)`, which must
return a function from a batch of observations (a float32 numpy array, one row per environment) to a batch of
actions. Only JSON data crosses between this process and the evaluator.
"""

import base64
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.getcwd(), "src"))

import networks  # noqa: E402  (the agent's module)

_policy = None


def load(path, seed):
    global _policy
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
        torch.manual_seed(seed)
        torch.set_num_threads(1)
    except ImportError:
        pass
    _policy = networks.load_policy(path)
    return True


def act(observations):
    array = np.frombuffer(base64.b64decode(observations["data"]), dtype=observations["dtype"])
    array = array.reshape(observations["shape"]).astype(np.float32)
    actions = np.asarray(_policy(array))
    return actions.tolist()
