"""Evaluate a Battle of the Sexes row strategy against the column player in target.py.

Each game has ROUNDS rounds; the score is the row player's mean payoff per round over SIMULATIONS games.
Payoffs (row, column): both 0 -> (2, 1); both 1 -> (1, 2); otherwise (0, 0).
The agent's strategy runs in its own process; this script only exchanges moves with it.
"""

import labgym_eval as lab
from target import target_column_strategy

ROUNDS = 10
SIMULATIONS = 1000 if lab.reduced() else 10000
PAYOFF = {(0, 0): (2, 1), (1, 1): (1, 2)}


def main():
    secret = lab.hidden_json("seed.json", {"seed": "practice"})["seed"]
    rng = lab.KeyedRandom(secret)
    histories = [[] for _ in range(SIMULATIONS)]
    total = 0.0
    try:
        with lab.untrusted_module("strategy.py", seed=lab.derived_number(secret, "worker")) as strategy:
            for _ in range(ROUNDS):
                rows = strategy.map("row_strategy", [[history] for history in histories])
                for history, row in zip(histories, rows):
                    if row not in (0, 1):
                        lab.fail("row_strategy must return 0 or 1, got %r" % (row,))
                    column = target_column_strategy(history, rng)
                    total += PAYOFF.get((row, column), (0, 0))[0]
                    history.append([row, column])
    except lab.SubmissionError as error:
        lab.fail(str(error))
    lab.write_metrics({"Score": total / (ROUNDS * SIMULATIONS)})


if __name__ == "__main__":
    main()
