"""MetaMaze-misc in numpy, batched over many environments (the dynamics of gymnax's MetaMaze, Miconi et al.).

A 9x9 maze inside an outer wall (an 11x11 map): every odd row of the maze has walls at every other cell. Each
episode draws a goal cell uniformly among the free cells; the agent starts at the centre. Actions: 0 up, 1 right,
2 down, 3 left (moving into a wall leaves the agent in place). Reaching the goal gives +10 and moves the agent
to a random free cell (the goal stays), so the goal can be found again and again; an episode lasts 200 steps
(it also ends if the agent is moved onto the goal itself). Observation (15 numbers): the 3x3 walls around the
agent (1 = wall, row by row), the one-hot last action, the last reward and the time step (not normalised).
Finished environments restart automatically.
"""

import numpy as np

MAZE_SIZE = 9
REWARD = 10.0
MAX_STEPS = 200
DIRECTIONS = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])
NUM_ACTIONS = 4


def maze_layout():
    """Boolean map of free cells (True) with a one-cell outer wall."""
    size = MAZE_SIZE + 2
    free = np.zeros((size, size), dtype=bool)
    for r in range(MAZE_SIZE):
        if r % 2 == 0:
            free[r + 1, 1:-1] = True
        else:
            free[r + 1, 1:-1:2] = True
    return free


FREE = maze_layout()
WALLS = (~FREE).astype(np.float32)
FREE_CELLS = np.argwhere(FREE)
CENTER = np.array([MAZE_SIZE // 2 + 1, MAZE_SIZE // 2 + 1])


class MetaMaze:
    name = "MetaMaze-misc"
    observation_shape = (15,)
    observation_dtype = np.float32
    action_kind = "discrete"
    num_actions = NUM_ACTIONS
    max_steps = MAX_STEPS

    def __init__(self, num_envs, seed=0):
        self.num_envs = num_envs
        self.rng = np.random.default_rng(seed)
        self.pos = np.zeros((num_envs, 2), dtype=np.int64)
        self.goal = np.zeros((num_envs, 2), dtype=np.int64)
        self.last_action = np.zeros(num_envs, dtype=np.int64)
        self.last_reward = np.zeros(num_envs)
        self.time = np.zeros(num_envs, dtype=np.int64)

    def _restart(self, mask):
        count = int(mask.sum())
        self.goal[mask] = FREE_CELLS[self.rng.integers(0, len(FREE_CELLS), count)]
        self.pos[mask] = CENTER
        self.last_action[mask] = 0
        self.last_reward[mask] = 0.0
        self.time[mask] = 0

    def observe(self):
        rows = self.pos[:, 0, None, None] + np.arange(-1, 2)[None, :, None]
        cols = self.pos[:, 1, None, None] + np.arange(-1, 2)[None, None, :]
        view = WALLS[rows, cols].reshape(self.num_envs, 9)
        one_hot = np.eye(NUM_ACTIONS, dtype=np.float32)[self.last_action]
        return np.concatenate([view, one_hot, self.last_reward[:, None], self.time[:, None]], axis=1).astype(np.float32)

    def reset(self):
        self._restart(np.ones(self.num_envs, dtype=bool))
        return self.observe()

    def step(self, actions):
        """actions: (num_envs,) integers in 0..3. Returns (observations, rewards, dones)."""
        actions = np.asarray(actions, dtype=np.int64).reshape(self.num_envs)
        target = self.pos + DIRECTIONS[actions]
        moved = FREE[target[:, 0], target[:, 1]]
        pos = np.where(moved[:, None], target, self.pos)
        reached = np.all(pos == self.goal, axis=1)
        reward = REWARD * reached
        pos[reached] = FREE_CELLS[self.rng.integers(0, len(FREE_CELLS), int(reached.sum()))]
        self.pos = pos
        self.last_action = actions
        self.last_reward = reward
        self.time += 1
        done = (self.time >= MAX_STEPS) | np.all(pos == self.goal, axis=1)
        self._restart(done)
        return self.observe(), reward, done
