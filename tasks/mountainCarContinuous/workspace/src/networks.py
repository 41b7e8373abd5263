"""The policy network, and how the evaluation loads a checkpoint.

The evaluation imports this module and calls `load_policy(path)` for every file in checkpoints/; the function it
returns maps a batch of observations (float32 array of shape (n, 2): position, velocity) to n forces in [-1, 1]
(values outside are clipped). Change the architecture freely, but keep `load_policy` working for your checkpoints.
"""

import torch
from torch import nn

# Rough centre and scale of the observations, so the network sees inputs of order 1.
OBS_CENTER = torch.tensor([-0.3, 0.0])
OBS_SCALE = torch.tensor([0.9, 0.07])


class Policy(nn.Module):
    def __init__(self, hidden_size=32, num_hidden_layers=2):
        super().__init__()
        layers, size = [], 2
        for _ in range(num_hidden_layers):
            layers += [nn.Linear(size, hidden_size), nn.Tanh()]
            size = hidden_size
        layers += [nn.Linear(size, 1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, observations):
        return self.body((observations - OBS_CENTER) / OBS_SCALE).squeeze(-1)


def build(config):
    return Policy(config["hidden_size"], config["num_hidden_layers"])


def save_checkpoint(model, config, path):
    torch.save({"config": config, "state_dict": model.state_dict()}, path)


def load_policy(path):
    checkpoint = torch.load(path)
    model = build(checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()

    def act(observations):
        with torch.no_grad():
            return model(torch.as_tensor(observations, dtype=torch.float32)).numpy()

    return act
