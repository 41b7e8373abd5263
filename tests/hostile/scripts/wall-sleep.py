

# Never answer.
import time as _time


def row_strategy(history):
    _time.sleep(10**6)
