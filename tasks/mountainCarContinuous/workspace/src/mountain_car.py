"""MountainCarContinuous-v0 in numpy, batched over many environments (the dynamics of gym/gymnax).

A car in a valley must drive up the hill on the right. Observation: [position, velocity]. Action: one force in
[-1, 1] (clipped). Reward per step: -0.1 * force**2, plus 100 on reaching the goal (position >= 0.45 with
velocity >= 0), which ends the episode; an episode also ends after 999 steps. Start: position uniform in
[-0.6, -0.4], velocity 0. Finished environments restart automatically.
"""

import numpy as np

MIN_ACTION, MAX_ACTION = -1.0, 1.0
MIN_POSITION, MAX_POSITION = -1.2, 0.6
MAX_SPEED = 0.07
GOAL_POSITION, GOAL_VELOCITY = 0.45, 0.0
POWER = 0.0015
GRAVITY = 0.0025
MAX_STEPS = 999


def dynamics(position, velocity, force):
    """One step of the equations, elementwise. Returns (position, velocity, at_goal)."""
    velocity = velocity + force * POWER - np.cos(3 * position) * GRAVITY
    velocity = np.clip(velocity, -MAX_SPEED, MAX_SPEED)
    position = np.clip(position + velocity, MIN_POSITION, MAX_POSITION)
    # Hitting the left wall stops the car.
    velocity = np.where((position == MIN_POSITION) & (velocity < 0), 0.0, velocity)
    at_goal = (position >= GOAL_POSITION) & (velocity >= GOAL_VELOCITY)
    return position, velocity, at_goal


class MountainCarContinuous:
    name = "MountainCarContinuous-v0"
    observation_shape = (2,)
    observation_dtype = np.float32
    action_kind = "continuous"
    max_steps = MAX_STEPS

    def __init__(self, num_envs, seed=0):
        self.num_envs = num_envs
        self.rng = np.random.default_rng(seed)
        self.position = np.zeros(num_envs)
        self.velocity = np.zeros(num_envs)
        self.time = np.zeros(num_envs, dtype=np.int64)

    def _restart(self, mask):
        self.position[mask] = self.rng.uniform(-0.6, -0.4, int(mask.sum()))
        self.velocity[mask] = 0.0
        self.time[mask] = 0

    def observe(self):
        return np.stack([self.position, self.velocity], axis=1).astype(np.float32)

    def reset(self):
        self._restart(np.ones(self.num_envs, dtype=bool))
        return self.observe()

    def step(self, actions):
        """actions: (num_envs,) or (num_envs, 1) forces. Returns (observations, rewards, dones)."""
        force = np.clip(np.asarray(actions, dtype=np.float64).reshape(self.num_envs), MIN_ACTION, MAX_ACTION)
        self.position, self.velocity, at_goal = dynamics(self.position, self.velocity, force)
        self.time += 1
        reward = -0.1 * force ** 2 + 100.0 * at_goal
        done = at_goal | (self.time >= MAX_STEPS)
        self._restart(done)
        return self.observe(), reward, done
