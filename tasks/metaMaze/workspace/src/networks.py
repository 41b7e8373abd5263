"""The actor-critic network, and how the evaluation loads a checkpoint.

The evaluation imports this module and calls `load_policy(path)` for every file in checkpoints/; the function it
returns maps a batch of observations (float32 array of shape (n, 15)) to n actions (integers 0-3: up, right, down, left).
Change the architecture freely, but keep `load_policy` working for your checkpoints.
"""

import numpy as np
import torch
from torch import nn


# The last reward (0 or 10) and the time step (0-200) are scaled to order 1; the other inputs are 0/1.
INPUT_SCALE = torch.tensor([1.0] * 13 + [0.1, 0.005])


class ActorCritic(nn.Module):
    def __init__(self, observation_size, num_actions, hidden_size=256, num_hidden_layers=2):
        super().__init__()

        def mlp(out_size):
            layers, size = [], observation_size
            for _ in range(num_hidden_layers):
                layers += [nn.Linear(size, hidden_size), nn.ReLU()]
                size = hidden_size
            return nn.Sequential(*layers, nn.Linear(size, out_size))

        self.actor = mlp(num_actions)
        self.critic = mlp(1)

    def forward(self, observations):
        """Returns (action logits, state values)."""
        x = observations.reshape(observations.shape[0], -1) * INPUT_SCALE
        return self.actor(x), self.critic(x).squeeze(-1)


def build(config):
    return ActorCritic(config["observation_size"], config["num_actions"], config["hidden_size"], config["num_hidden_layers"])


def save_checkpoint(model, config, path):
    torch.save({"config": config, "state_dict": model.state_dict()}, path)


def load_policy(path):
    checkpoint = torch.load(path)
    model = build(checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()

    def act(observations):
        with torch.no_grad():
            logits, _ = model(torch.as_tensor(np.asarray(observations, dtype=np.float32)))
            return torch.distributions.Categorical(logits=logits).sample().numpy()

    return act
