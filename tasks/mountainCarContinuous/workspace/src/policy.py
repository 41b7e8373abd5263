"""An evolution strategy (OpenAI-ES: antithetic Gaussian perturbations, rank-shaped fitness, Adam) that trains
the network of networks.py on the batched numpy MountainCar (mountain_car.py, the evaluation's dynamics)."""

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from mountain_car import MountainCarContinuous


def episode_returns(model, candidates, envs_per_candidate, rng):
    """Mean return of one episode in each of envs_per_candidate environments, per candidate parameter vector.
    Returns (fitness, environment steps used)."""
    count = len(candidates)
    env = MountainCarContinuous(count * envs_per_candidate, seed=int(rng.integers(2**31)))
    observations = env.reset()
    returns = np.zeros(env.num_envs)
    active = np.ones(env.num_envs, dtype=bool)
    steps = 0
    with torch.no_grad():
        nets = []
        for vector in candidates:
            vector_to_parameters(torch.as_tensor(vector, dtype=torch.float32), model.parameters())
            nets.append([p.clone() for p in model.parameters()])
        for _ in range(env.max_steps):
            actions = np.zeros(env.num_envs)
            obs = torch.as_tensor(observations)
            for i, params in enumerate(nets):
                rows = slice(i * envs_per_candidate, (i + 1) * envs_per_candidate)
                if not active[rows].any():
                    continue
                for target, value in zip(model.parameters(), params):
                    target.copy_(value)
                actions[rows] = model(obs[rows]).numpy()
            observations, rewards, dones = env.step(actions)
            returns += rewards * active
            steps += int(active.sum())
            active &= ~dones
            if not active.any():
                break
    return returns.reshape(count, envs_per_candidate).mean(axis=1), steps


def centered_ranks(values):
    ranks = np.empty(len(values))
    ranks[np.argsort(values)] = np.arange(len(values))
    return ranks / (len(values) - 1) - 0.5


def train(model, config, num_env_steps, seed, log=print):
    rng = np.random.default_rng(seed)
    center = parameters_to_vector(model.parameters()).detach().numpy().astype(np.float64)
    mean_m, mean_v = np.zeros_like(center), np.zeros_like(center)
    pairs = config["population_size"] // 2
    sigma, lr = config["sigma"], config["learning_rate"]
    steps, generation = 0, 0
    while steps < num_env_steps:
        noise = rng.standard_normal((pairs, center.size))
        candidates = np.concatenate([center + sigma * noise, center - sigma * noise])
        fitness, used = episode_returns(model, candidates, config["envs_per_candidate"], rng)
        steps += used
        shaped = centered_ranks(fitness)
        gradient = ((shaped[:pairs] - shaped[pairs:]) @ noise) / (2 * pairs * sigma)
        gradient -= config["weight_decay"] * center
        # Adam ascent on the estimated gradient.
        generation += 1
        mean_m = 0.9 * mean_m + 0.1 * gradient
        mean_v = 0.999 * mean_v + 0.001 * gradient ** 2
        step = lr * (mean_m / (1 - 0.9 ** generation)) / (np.sqrt(mean_v / (1 - 0.999 ** generation)) + 1e-8)
        center = center + step
        log("generation %d  env steps %d  mean fitness %.2f  best %.2f" % (generation, steps, fitness.mean(), fitness.max()))
    vector_to_parameters(torch.as_tensor(center, dtype=torch.float32), model.parameters())
    return model
