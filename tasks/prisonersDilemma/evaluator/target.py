"""The column player (the opponent) of the Prisoner's Dilemma task.

Moves: 0 = cooperate, 1 = defect. At the start of every game the column player draws one of the classic
strategies in STRATEGIES uniformly at random and plays it for the whole game. Each strategy sees the history
as (row_move, column_move) pairs, so the row player's (your) moves are history[i][0].
"""

COOPERATE, DEFECT = 0, 1


def always_cooperate(history, rng):
    return COOPERATE


def always_defect(history, rng):
    return DEFECT


def coin_flip(history, rng):
    return COOPERATE if rng.random() < 0.5 else DEFECT


def tit_for_tat(history, rng):
    """Cooperate first, then copy the row player's previous move."""
    return history[-1][0] if history else COOPERATE


def suspicious_tit_for_tat(history, rng):
    """Defect first, then copy the row player's previous move."""
    return history[-1][0] if history else DEFECT


def generous_tit_for_tat(history, rng):
    """Tit for tat that forgives a defection with probability 0.3."""
    if history and history[-1][0] == DEFECT and rng.random() >= 0.3:
        return DEFECT
    return COOPERATE


def tit_for_two_tats(history, rng):
    """Defect only after two defections in a row."""
    if len(history) >= 2 and history[-1][0] == DEFECT and history[-2][0] == DEFECT:
        return DEFECT
    return COOPERATE


def grim_trigger(history, rng):
    """Cooperate until the row player defects once, then defect for the rest of the game."""
    return DEFECT if any(row == DEFECT for row, _ in history) else COOPERATE


def pavlov(history, rng):
    """Win-stay, lose-shift: cooperate first, then cooperate exactly when both moves of the last round were equal."""
    if not history:
        return COOPERATE
    row, column = history[-1]
    return COOPERATE if row == column else DEFECT


def soft_majority(history, rng):
    """Cooperate while the row player has cooperated at least as often as it defected."""
    defections = sum(row for row, _ in history)
    return COOPERATE if defections * 2 <= len(history) else DEFECT


def prober(history, rng):
    """Open with defect, cooperate, cooperate; exploit a row player that did not retaliate, else play tit for tat."""
    opening = [DEFECT, COOPERATE, COOPERATE]
    if len(history) < len(opening):
        return opening[len(history)]
    if history[1][0] == COOPERATE and history[2][0] == COOPERATE:
        return DEFECT
    return history[-1][0]


STRATEGIES = [
    always_cooperate,
    always_defect,
    coin_flip,
    tit_for_tat,
    suspicious_tit_for_tat,
    generous_tit_for_tat,
    tit_for_two_tats,
    grim_trigger,
    pavlov,
    soft_majority,
    prober,
]


def draw_column_strategy(rng):
    """The strategy the column player uses for one game; rng: a random.Random."""
    return rng.choice(STRATEGIES)


def target_column_strategy(strategy, history, rng):
    """The column player's next move (0 or 1) in a game where it plays `strategy`."""
    return strategy(history, rng)
