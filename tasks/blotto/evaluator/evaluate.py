"""Evaluate a Colonel Blotto row strategy against the column player in target.py.

Each round both players split TOTAL_SOLDIERS soldiers over BATTLEFIELDS battlefields; a battlefield goes to the
player with more soldiers on it (nobody on a tie). The round pays +1 to the player who wins more battlefields,
-1 to the other, and 0 on a tie. Each game has ROUNDS rounds; the score is the row player's mean payoff per round
over SIMULATIONS games. The agent's strategy runs in its own process; this script only exchanges moves with it.
"""

import labgym_eval as lab
from target import BATTLEFIELDS, TOTAL_SOLDIERS, target_column_strategy

ROUNDS = 10
SIMULATIONS = 1000 if lab.reduced() else 10000


def check_allocation(allocation):
    if not isinstance(allocation, list) or len(allocation) != BATTLEFIELDS:
        lab.fail("row_strategy must return a list of %d integers, got %r" % (BATTLEFIELDS, allocation))
    if any(type(soldiers) is not int or soldiers < 0 for soldiers in allocation):
        lab.fail("row_strategy must return non-negative integers (use int(), not floats or numpy numbers), got %r"
                 % (allocation,))
    if sum(allocation) != TOTAL_SOLDIERS:
        lab.fail("row_strategy must allocate exactly %d soldiers, got %r (sum %d)"
                 % (TOTAL_SOLDIERS, allocation, sum(allocation)))
    return allocation


def payoff(row, column):
    row_wins = sum(r > c for r, c in zip(row, column))
    column_wins = sum(c > r for r, c in zip(row, column))
    return (row_wins > column_wins) - (row_wins < column_wins)


def main():
    secret = str(lab.hidden_json("seed.json", {"seed": "practice"})["seed"])
    rng = lab.KeyedRandom(secret)
    histories = [[] for _ in range(SIMULATIONS)]
    total = 0
    try:
        # The worker's `random` gets its own seed, so that the strategy cannot learn the opponent's.
        with lab.untrusted_module("strategy.py", seed=lab.derived_number(secret, "worker")) as strategy:
            for _ in range(ROUNDS):
                rows = strategy.map("row_strategy", [[history] for history in histories])
                for history, row in zip(histories, rows):
                    row = check_allocation(row)
                    column = target_column_strategy(history, rng)
                    total += payoff(row, column)
                    history.append([row, column])
    except lab.SubmissionError as error:
        lab.fail(str(error))
    lab.write_metrics({"Score": total / (ROUNDS * SIMULATIONS)})


if __name__ == "__main__":
    main()
