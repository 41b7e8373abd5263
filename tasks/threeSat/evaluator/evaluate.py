"""Evaluate a DPLL branching heuristic (heuristic.py) on held-out random 3-SAT instances.

How the numbers are kept honest:
- The DPLL solver (solver.py) runs here, in the evaluator. heuristic.py runs in its own process as the `agent`
  user (labgym_eval.untrusted_module, through heuristic_runner.py). For each decision the solver sends that
  process what changed in its state since the previous decision (DPLL.changes) and gets back a
  (variable, value) choice: one round trip per decision, instances one after another. Whatever the heuristic's
  process does to itself (patching solver.py there, printing, keeping state) can only change its choices.
- Every choice is checked before the solver uses it: an assigned or out-of-range variable, a value that is not
  True/False, an exception, a call taking more than CALL_TIMEOUT seconds or an instance needing more than
  MAX_DECISIONS decisions fails the evaluation with a message.
- The solver counts the decisions itself. A SAT answer is checked against every clause of the instance, an UNSAT
  answer against the pycosat label made with the dataset. Any Incorrect answer fails the evaluation (with this
  solver it would mean a broken evaluation, not a clever heuristic).
- pycosat and picosat are unreadable to the heuristic's process (the task image gives them to a group the agent's
  shells have and the worker has not; here they are also chmod'ed where the root file system allows it), so the
  heuristic cannot ask a SAT solver for a satisfying assignment and follow it. Solving the instance inside
  heuristic_fn by other means (scipy's MILP, a hand-written solver) is against the task's rules, not blocked.
The alternative, letting the heuristic's side solve and replaying its decisions here, would need the same checks
and more code; asking per decision keeps the solver and the count on this side only.

Scales: full scores the split's 200 instances, reduced the first REDUCED_INSTANCES (still half SAT, half UNSAT).

Metrics:
- Decisions (primary, minimize): branching decisions summed over the split's instances (the other value tried
  after a failed branch is not counted). Deterministic for a given heuristic and instance set.
- Time: wall seconds to solve the instances (solver, heuristic and the messages between them). MLGym's primary
  metric; here only reported, because it depends on the machine and its load.
- Correct / Incorrect: instances answered right / wrong.

Run by hand in the workspace (`python3 evaluate.py`), it scores the public practice set data/train.json.
"""

import glob
import json
import os
import time

import labgym_eval as lab
from solver import DPLL

REDUCED_INSTANCES = 30
MAX_DECISIONS = 20000  # per instance; the random starter needs at most 1160 on these instances
CALL_TIMEOUT = 10  # seconds per heuristic call (and for loading heuristic.py)
SAT_SOLVER_FILES = ["/usr/lib/python3/dist-packages/pycosat*", "/usr/lib/*/libpicosat*", "/usr/bin/picosat*"]


def load_instances():
    instances = lab.hidden_json("instances.json")
    if instances is None:  # not the real evaluation: the agent running this file in its workspace
        print("no hidden instances here: scoring the practice set data/train.json")
        with open("data/train.json") as f:
            instances = json.load(f)
    return instances[:REDUCED_INSTANCES] if lab.reduced() else instances


def hide_sat_solvers():
    """Make the SAT solvers of the image unreadable for other users (pycosat and the picosat it wraps).

    Only ever done as root, that is in the throwaway evaluation sandbox.
    """
    if os.geteuid() != 0:
        return
    for pattern in SAT_SOLVER_FILES:
        for path in glob.glob(pattern):
            if os.path.isfile(path) and not os.path.islink(path):
                try:
                    os.chmod(path, 0o700)
                except OSError:  # a read-only root file system: the task's rules still forbid using them
                    pass


def satisfies(clauses, assignments):
    return all(any(assignments.get(abs(literal)) == (literal > 0) for literal in clause) for clause in clauses)


def solve(runner, instance):
    """Solve one instance, asking the heuristic's process for each decision. Returns (satisfiable, solver)."""
    solver = DPLL(instance["num_vars"], instance["clauses"])
    search = solver.search()
    runner.call("start", instance["num_vars"], instance["clauses"])
    try:
        next(search)
        while True:
            if solver.num_decisions >= MAX_DECISIONS:
                lab.fail("instance %s needed more than %d decisions; the heuristic makes the search too long"
                         % (instance["id"], MAX_DECISIONS))
            choice = runner.call("decide", *solver.changes())
            if isinstance(choice, str):  # heuristic_runner passes on what it could not turn into (int, bool)
                lab.fail("heuristic_fn must return (variable, value) with an int variable and a bool value; on "
                         "instance %s it returned %s" % (instance["id"], choice))
            problem = solver.check_choice(choice)
            if problem:
                lab.fail("invalid decision on instance %s: %s" % (instance["id"], problem))
            search.send(tuple(choice))
    except StopIteration as done:
        return done.value, solver


def main():
    instances = load_instances()
    hide_sat_solvers()
    decisions = correct = incorrect = 0
    started = time.time()
    try:
        with lab.untrusted_module("heuristic_runner.py", timeout=CALL_TIMEOUT) as runner:
            for instance in instances:
                satisfiable, solver = solve(runner, instance)
                decisions += solver.num_decisions
                if satisfiable:
                    right = instance["satisfiable"] and satisfies(instance["clauses"], solver.assignments)
                else:
                    right = not instance["satisfiable"]
                correct += right
                incorrect += not right
    except lab.SubmissionError as error:
        lab.fail(str(error))
    elapsed = time.time() - started
    if incorrect:
        lab.fail("%d of %d instances were answered incorrectly: the evaluation is broken, please report it"
                 % (incorrect, len(instances)))
    lab.write_metrics({"Decisions": decisions, "Time": round(elapsed, 3), "Correct": correct, "Incorrect": incorrect})


if __name__ == "__main__":
    main()
