"""Evaluate a Prisoner's Dilemma row strategy against the column player in target.py.

Moves: 0 = cooperate, 1 = defect. Payoffs (row, column): both cooperate (3, 3); you cooperate and they defect
(0, 5); you defect and they cooperate (5, 0); both defect (1, 1). Each game has ROUNDS rounds, and the column
player draws its strategy once per game. The score is the row player's mean payoff per round over SIMULATIONS games.
The agent's strategy runs in its own process; this script only exchanges moves with it.
"""

import labgym_eval as lab
from target import draw_column_strategy, target_column_strategy

ROUNDS = 10
SIMULATIONS = 1000 if lab.reduced() else 10000
ROW_PAYOFF = {(0, 0): 3, (0, 1): 0, (1, 0): 5, (1, 1): 1}


def check_move(move):
    if type(move) is not int or move not in (0, 1):
        lab.fail("row_strategy must return 0 (cooperate) or 1 (defect), got %r" % (move,))
    return move


def main():
    secret = str(lab.hidden_json("seed.json", {"seed": "practice"})["seed"])
    rng = lab.KeyedRandom(secret)
    opponents = [draw_column_strategy(rng) for _ in range(SIMULATIONS)]
    histories = [[] for _ in range(SIMULATIONS)]
    total = 0
    try:
        # The worker's `random` gets its own seed, so that the strategy cannot learn the opponent's.
        with lab.untrusted_module("strategy.py", seed=lab.derived_number(secret, "worker")) as strategy:
            for _ in range(ROUNDS):
                rows = strategy.map("row_strategy", [[history] for history in histories])
                for opponent, history, row in zip(opponents, histories, rows):
                    row = check_move(row)
                    column = target_column_strategy(opponent, history, rng)
                    total += ROW_PAYOFF[(row, column)]
                    history.append([row, column])
    except lab.SubmissionError as error:
        lab.fail(str(error))
    lab.write_metrics({"Score": total / (ROUNDS * SIMULATIONS)})


if __name__ == "__main__":
    main()
