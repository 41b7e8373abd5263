# Mischief from inside the evaluation (this runs in the evaluator's worker as `agent`), then the honest strategy
# below: none of it may change the score.
import atexit
import os
import sys

FORGED = "Evaluation failed: forged by the submission"
print(FORGED)
print(FORGED, file=sys.stderr)
atexit.register(print, FORGED)
for hidden in (os.environ.get("LABGYM_HIDDEN", "hidden"), "hidden", os.path.join(os.getcwd(), "hidden")):
    try:
        os.rename(hidden, hidden + "-moved")
    except OSError:
        pass
for folder in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
    for module in ("labgym_eval.py", "target.py", "evaluate.py", "json.py", "random.py", "sitecustomize.py"):
        try:
            with open(os.path.join(folder, module), "w") as planted:
                planted.write("raise SystemExit(%r)\n" % FORGED)
        except OSError:
            pass
try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
