"""The column player (the opponent) of the Colonel Blotto task.

Every round it ignores the history and draws a fresh random allocation: one uniform random weight per
battlefield, scaled so that the soldiers sum to TOTAL_SOLDIERS (rounded down, the leftover soldiers placed one by
one on random battlefields).
"""

BATTLEFIELDS = 6
TOTAL_SOLDIERS = 120


def target_column_strategy(history, rng):
    """history: list of [row_allocation, column_allocation] pairs so far; rng: a random.Random.

    Returns a list of BATTLEFIELDS non-negative integers summing to TOTAL_SOLDIERS.
    """
    weights = [rng.random() for _ in range(BATTLEFIELDS)]
    scale = TOTAL_SOLDIERS / sum(weights)
    allocation = [int(weight * scale) for weight in weights]
    for _ in range(TOTAL_SOLDIERS - sum(allocation)):
        allocation[rng.randrange(BATTLEFIELDS)] += 1
    return allocation
