"""The column player (the opponent) of the Battle of the Sexes task.

It prefers strategy 1. In the first round it plays 1; afterwards it follows the row player's previous move with
probability 0.8 and plays its own favourite, 1, otherwise.
"""


def target_column_strategy(history, rng):
    """history: list of (row_move, column_move) pairs so far; rng: a random.Random. Returns 0 or 1."""
    if not history:
        return 1
    if rng.random() < 0.8:
        return history[-1][0]
    return 1
