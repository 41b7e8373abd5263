

_honest = row_strategy


def row_strategy(history):
    return 0 if LEAKED else _honest(history)
