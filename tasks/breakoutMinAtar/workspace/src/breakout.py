"""MinAtar Breakout in numpy, batched over many environments (the dynamics of gymnax's Breakout-MinAtar).

A 10x10 screen: a paddle on the bottom row, a ball moving diagonally, three rows of bricks (rows 1-3). Actions:
0 no-op, 1 left, 2 right. Breaking a brick gives +1 and bounces the ball; when every brick is gone, three new
rows appear once the ball is back at the bottom. The ball bounces off the walls, the ceiling and the paddle
(straight back when it comes down onto the paddle's column, sideways when the paddle moves under it). The
episode ends when the ball reaches the bottom row without the paddle, or after 1000 steps. The ball starts at
row 3 in the left or right corner (chosen at random), moving down and inwards.
Observation: 10x10x4 binary channels (paddle, ball, trail = the ball's previous cell, bricks), channels last.
Finished environments restart automatically.
"""

import numpy as np

MAX_STEPS = 1000
NUM_ACTIONS = 3
# Ball directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
STEP_X = np.array([-1, 1, 1, -1])
STEP_Y = np.array([-1, -1, 1, 1])
FLIP_X = np.array([1, 0, 3, 2])   # off a side wall
FLIP_Y = np.array([3, 2, 1, 0])   # off the ceiling, a brick, or straight back off the paddle
SIDEWAYS = np.array([2, 3, 0, 1])  # off a paddle that moved under the ball


class Breakout:
    name = "Breakout-MinAtar"
    observation_shape = (10, 10, 4)
    observation_dtype = np.uint8
    action_kind = "discrete"
    num_actions = NUM_ACTIONS
    max_steps = MAX_STEPS

    def __init__(self, num_envs, seed=0):
        self.num_envs = num_envs
        self.rng = np.random.default_rng(seed)
        n = num_envs
        self.ball_x, self.ball_y, self.ball_dir = (np.zeros(n, dtype=np.int64) for _ in range(3))
        self.last_x, self.last_y = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self.paddle = np.zeros(n, dtype=np.int64)
        self.bricks = np.zeros((n, 10, 10), dtype=bool)
        self.strike = np.zeros(n, dtype=bool)
        self.time = np.zeros(n, dtype=np.int64)

    def _restart(self, mask):
        right = self.rng.integers(0, 2, int(mask.sum())).astype(bool)
        self.ball_x[mask] = np.where(right, 9, 0)
        self.ball_dir[mask] = np.where(right, 3, 2)
        self.ball_y[mask] = 3
        self.last_x[mask] = self.ball_x[mask]
        self.last_y[mask] = 3
        self.paddle[mask] = 4
        self.bricks[mask] = False
        self.bricks[mask, 1:4, :] = True
        self.strike[mask] = False
        self.time[mask] = 0

    def observe(self):
        n = np.arange(self.num_envs)
        obs = np.zeros((self.num_envs, 10, 10, 4), dtype=np.uint8)
        obs[n, 9, self.paddle, 0] = 1
        obs[n, self.ball_y, self.ball_x, 1] = 1
        obs[n, self.last_y, self.last_x, 2] = 1
        obs[:, :, :, 3] = self.bricks
        return obs

    def reset(self):
        self._restart(np.ones(self.num_envs, dtype=bool))
        return self.observe()

    def step(self, actions):
        """actions: (num_envs,) integers in 0..2. Returns (observations, rewards, dones)."""
        actions = np.asarray(actions, dtype=np.int64).reshape(self.num_envs)
        n = np.arange(self.num_envs)
        paddle = np.where(actions == 1, np.maximum(self.paddle - 1, 0),
                          np.where(actions == 2, np.minimum(self.paddle + 1, 9), self.paddle))
        last_x, last_y, direction = self.ball_x, self.ball_y, self.ball_dir
        new_x = last_x + STEP_X[direction]
        new_y = last_y + STEP_Y[direction]

        side = (new_x < 0) | (new_x > 9)
        new_x = np.clip(new_x, 0, 9)
        direction = np.where(side, FLIP_X[direction], direction)
        ceiling = new_y < 0
        new_y = np.where(ceiling, 0, new_y)
        direction = np.where(ceiling, FLIP_Y[direction], direction)

        # A brick in the way: break it (unless one was broken on the previous step) and bounce back vertically.
        in_brick = ~ceiling & self.bricks[n, np.minimum(new_y, 9), new_x]
        breaks = in_brick & ~self.strike
        reward = breaks.astype(np.float64)
        self.bricks[n[breaks], new_y[breaks], new_x[breaks]] = False
        new_y = np.where(breaks, last_y, new_y)
        direction = np.where(breaks, FLIP_Y[direction], direction)

        # The bottom row: new bricks if all are gone, then the paddle bounces the ball or the episode ends.
        bottom = ~in_brick & (new_y == 9)
        refill = bottom & (self.bricks.sum(axis=(1, 2)) == 0)
        self.bricks[refill, 1:4, :] = True
        straight = bottom & (last_x == paddle)
        direction = np.where(straight, FLIP_Y[direction], direction)
        sideways = bottom & ~straight & (new_x == paddle)
        direction = np.where(sideways, SIDEWAYS[direction], direction)
        new_y = np.where(straight | sideways, last_y, new_y)
        lost = bottom & ~straight & ~sideways

        self.paddle, self.ball_dir, self.strike = paddle, direction, in_brick
        self.last_x, self.last_y, self.ball_x, self.ball_y = last_x, last_y, new_x, new_y
        self.time += 1
        done = lost | (self.time >= MAX_STEPS)
        self._restart(done)
        return self.observe(), reward, done
