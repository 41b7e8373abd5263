"""The branching heuristic of the DPLL solver (solver.py). This is the file you submit.

heuristic_fn is called each time the solver must branch. It gets:
  clauses: the clauses not yet satisfied, each reduced to its unassigned literals (lists of ints; v means
           variable v is True, -v means it is False);
  assignments: {variable: True/False} for the variables assigned so far;
  conflict_count: {variable: number of conflicts (falsified clauses) it took part in so far on this instance};
  assignment_history: the assigned variables in the order they were assigned;
  level: {variable: the decision level at which it was assigned}.
It returns (variable, value): an unassigned variable to branch on and the value (True or False) to try first.
The solver tries the other value itself if that branch fails.
"""

import random

# The baseline: a random unassigned variable, always set to True.
rng = random.Random(10)


def heuristic_fn(clauses, assignments, conflict_count, assignment_history, level):
    unassigned = sorted({abs(literal) for clause in clauses for literal in clause})
    return rng.choice(unassigned), True
