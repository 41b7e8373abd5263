"""Runs heuristic.py in its own process for the evaluation (loaded with labgym_eval.untrusted_module).

The solver runs in the evaluator; for each decision it sends only what changed since the previous one (see
DPLL.changes), and this file rebuilds heuristic_fn's arguments from that. Whatever comes back is checked by the
evaluator, so nothing here is trusted.
"""

import operator

from heuristic import heuristic_fn
from solver import simplify

_instance = {}


def start(num_vars, clauses):
    """A new instance: forget the previous one."""
    _instance.update(num_vars=num_vars, clauses=clauses, trail=[], conflict_count={})


def decide(kept, added, conflicts):
    """Apply the changes sent by the solver and ask heuristic_fn for the next decision."""
    trail = _instance["trail"]
    del trail[kept:]
    trail.extend(added)
    counts = _instance["conflict_count"]
    for var in conflicts:
        counts[var] = counts.get(var, 0) + 1
    assignments = {var: value for var, value, _ in trail}
    level = {var: depth for var, _, depth in trail}
    history = [var for var, _, _ in trail]
    choice = heuristic_fn(simplify(_instance["clauses"], assignments), assignments, dict(counts), history, level)
    try:
        var, value = choice
        if not isinstance(var, bool):
            var = operator.index(var)  # numpy integers are fine
    except (TypeError, ValueError):
        return repr(choice)
    if type(value).__name__ == "bool_":  # numpy.bool_
        value = bool(value)
    if isinstance(var, bool) or not isinstance(value, bool):
        return repr(choice)  # the evaluator reports it
    return [var, value]
