"""Your strategy for the Battle of the Sexes. Edit row_strategy; keep its name and signature."""

import random


def row_strategy(history):
    """Return the row player's move (0 or 1) for the next round.

    history: list of [row_move, column_move] pairs of the rounds played so far in this game.
    """
    if not history:
        return random.choice([0, 1])
    # Baseline: repeat our last move most of the time.
    if random.random() < 0.7:
        return history[-1][0]
    return 1 - history[-1][0]
