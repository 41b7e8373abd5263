"""The policy side of `untrusted_policy`: loaded as the submission module of a worker process that runs as the
`agent` user, it imports the agent's policy and answers act requests (the evaluator imports only the array
encoding from here). Stands alone (numpy only): the worker must not load labgym_eval's root-side helpers."""

import os
import random
import sys

# The worker put this file's folder first on the path; the agent's own modules (src/) must not be shadowed by it.
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != os.path.dirname(os.path.abspath(__file__))]


def encode_array(array, dtype):
    import base64

    import numpy as np

    array = np.ascontiguousarray(array, dtype=dtype)
    return {"shape": list(array.shape), "dtype": array.dtype.name, "data": base64.b64encode(array.tobytes()).decode()}


def decode_array(encoded):
    import base64

    import numpy as np

    array = np.frombuffer(base64.b64decode(encoded["data"]), dtype=encoded["dtype"])
    return array.reshape(encoded["shape"])


_policy_module = None
_policy = None


def _policy_import(src, module):
    global _policy_module
    import importlib

    sys.path.insert(0, src)
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

    array = decode_array(observations).astype(np.float32)
    actions = np.asarray(_policy(array))
    return actions.tolist()
