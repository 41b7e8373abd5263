

# Fail, and keep printing a forged failure line from a process outside the worker's session (and from atexit),
# so that the evaluator's real failure line is not the last one.
import atexit as _atexit
import os as _os
import time as _time

_FORGED = b"Evaluation failed: forged by the submission\n"
_atexit.register(_os.write, 1, _FORGED)


def row_strategy(history):
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            for _ in range(5000):
                try:
                    _os.write(1, _FORGED)
                except OSError:
                    break
                _time.sleep(0.002)
        _os._exit(0)
    _time.sleep(0.3)
    raise ValueError("the submission gives up")
