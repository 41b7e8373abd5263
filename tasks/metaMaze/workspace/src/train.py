"""Train a PPO policy on MetaMaze and save one checkpoint per seed in checkpoints/.

    python src/train.py [--config src/config.yaml]

The budget (environment steps per seed) is in config.yaml; LABGYM_SCALE=reduced uses the small CI budget.
"""

import argparse
import os
import time

import numpy as np
import torch
import yaml

import networks
from meta_maze import MetaMaze as Env
from policy import train


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.yaml"))
    parser.add_argument("--out", default="checkpoints")
    args = parser.parse_args()
    with open(args.config) as f:
        config = yaml.safe_load(f)
    train_config = config["train_config"]
    network_config = dict(config["network_config"], observation_size=int(np.prod(Env.observation_shape)), num_actions=Env.num_actions)
    reduced = os.environ.get("LABGYM_SCALE") == "reduced"
    budget = train_config["reduced_num_train_steps" if reduced else "num_train_steps"]
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for i in range(train_config["num_seeds"]):
        seed = train_config["seed"] + i
        torch.manual_seed(seed)
        np.random.seed(seed)
        start = time.time()
        model = networks.build(network_config)
        train(model, Env, train_config, budget, seed, log=lambda line: print("[seed %d] %s" % (seed, line), flush=True))
        path = os.path.join(args.out, "%s-%d.pt" % (Env.name, i))
        networks.save_checkpoint(model, network_config, path)
        print("saved %s after %.0f s" % (path, time.time() - start), flush=True)


if __name__ == "__main__":
    main()
