"""Evaluate the trained policies in checkpoints/ on MinAtar Breakout (numpy, breakout.py).

Every checkpoint (at most 5) plays one episode in each of 256 (64 at the reduced scale) environments whose start
states come from the split's hidden seed. The environment, the episode loop and the returns are computed by the
shared RL evaluator (labgym_eval.evaluate_rl); the agent's code (src/networks.py, `load_policy`) runs in its own
process as the `agent` user and only sees observations and answers with actions (integers 0-2), one batch per
step. "Reward Mean" is the mean episode return over all episodes of all checkpoints, "Reward Std" their standard
deviation.
"""

import labgym_eval as lab
from breakout import Breakout as Env

if __name__ == "__main__":
    lab.evaluate_rl(Env, lab.discrete_actions(Env.num_actions))
