"""Your strategy for the iterated Prisoner's Dilemma. Edit row_strategy; keep its name and signature."""

import random


def row_strategy(history):
    """Return the row player's move for the next round: 0 (cooperate) or 1 (defect).

    history: list of [row_move, column_move] pairs of the rounds played so far in this game (empty in round 1).
    """
    if not history:
        return 0
    # Baseline: mostly answer cooperation with cooperation and defection with defection, with some noise.
    if history[-1][1] == 0:
        return 0 if random.random() < 0.8 else 1
    return 1 if random.random() < 0.6 else 0
