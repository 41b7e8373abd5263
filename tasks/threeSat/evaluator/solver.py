"""A DPLL solver for CNF formulas: unit propagation, chronological backtracking and a branching heuristic.

A formula is a list of clauses; a clause is a list of non-zero integers (literals): v means variable v is True,
-v means it is False. At each branching point the heuristic chooses an unassigned variable and the value to try
first; when that branch fails, the solver tries the other value (a flip, not counted as a decision).

`solve(num_vars, clauses, heuristic_fn)` runs the solver with a heuristic in this process, for experiments.
The evaluation runs the same `DPLL.search` in the evaluator and asks your heuristic for each decision.
"""


def simplify(clauses, assignments):
    """The clauses that `assignments` does not satisfy yet, each reduced to its unassigned literals."""
    current = []
    for clause in clauses:
        rest = []
        for literal in clause:
            value = assignments.get(abs(literal))
            if value is None:
                rest.append(literal)
            elif value == (literal > 0):
                break
        else:
            current.append(rest)
    return current


class DPLL:
    def __init__(self, num_vars, clauses):
        self.num_vars = num_vars
        self.clauses = [list(clause) for clause in clauses]
        self.occurs = {}  # literal -> indices of the clauses it occurs in
        for index, clause in enumerate(self.clauses):
            for literal in clause:
                self.occurs.setdefault(literal, []).append(index)
        self.assignments = {}  # variable -> True/False
        self.level = {}  # variable -> decision level at which it was assigned
        self.trail = []  # assigned variables, in assignment order
        self.branches = []  # one per decision level: (trail length before it, variable, value, second value?)
        self.conflict_count = {}  # variable -> number of conflicts (falsified clauses) it took part in
        self.num_decisions = 0
        self._kept = 0  # trail prefix unchanged since the last changes() (see changes)
        self._new_conflicts = []

    def _assign(self, var, value):
        self.assignments[var] = value
        self.level[var] = len(self.branches)
        self.trail.append(var)

    def _undo(self, length):
        for var in self.trail[length:]:
            del self.assignments[var]
            del self.level[var]
        del self.trail[length:]
        self._kept = min(self._kept, length)

    def _conflict(self, clause):
        for literal in clause:
            var = abs(literal)
            self.conflict_count[var] = self.conflict_count.get(var, 0) + 1
            self._new_conflicts.append(var)
        return False

    def _propagate(self, head):
        """Unit propagation of the trail from position `head` on. False on a conflict."""
        while head < len(self.trail):
            var = self.trail[head]
            head += 1
            falsified = -var if self.assignments[var] else var
            for index in self.occurs.get(falsified, ()):
                clause = self.clauses[index]
                unassigned = 0
                last = 0
                for literal in clause:
                    value = self.assignments.get(abs(literal))
                    if value is None:
                        unassigned += 1
                        last = literal
                    elif value == (literal > 0):
                        break
                else:
                    if unassigned == 0:
                        return self._conflict(clause)
                    if unassigned == 1:
                        self._assign(abs(last), last > 0)
        return True

    def _start(self):
        """Assign the unit clauses of the input and propagate. False if the formula is already refuted."""
        for clause in self.clauses:
            if not clause:
                return False
            if len(clause) == 1:
                var, value = abs(clause[0]), clause[0] > 0
                if self.assignments.get(var, value) != value:
                    return self._conflict(clause)
                if var not in self.assignments:
                    self._assign(var, value)
        return self._propagate(0)

    def satisfied(self):
        """True when every clause has a true literal under the current (partial) assignment."""
        return all(any(self.assignments.get(abs(literal)) == (literal > 0) for literal in clause) for clause in self.clauses)

    def check_choice(self, choice):
        """Why `choice` is not a valid decision now (a message), or None when it is a valid (variable, value)."""
        if not isinstance(choice, (list, tuple)) or len(choice) != 2:
            return "heuristic_fn must return a pair (variable, value), got %r" % (choice,)
        var, value = choice
        if type(var) is not int or not 1 <= var <= self.num_vars:
            return "the variable must be an int in 1..%d, got %r" % (self.num_vars, var)
        if var in self.assignments:
            return "variable %d is already assigned" % var
        if type(value) is not bool:
            return "the value must be True or False, got %r" % (value,)
        return None

    def search(self):
        """Generator: yields whenever a decision is needed; send it a valid (variable, value) (see check_choice).

        Returns (StopIteration.value) True when the formula is satisfiable, False when it is not.
        """
        ok = self._start()
        while True:
            if ok:
                if self.satisfied():
                    return True
                var, value = yield
                self.num_decisions += 1
                self.branches.append((len(self.trail), var, value, False))
            else:
                # Backtrack to the latest decision whose other value has not been tried, and try it.
                while self.branches:
                    mark, var, value, second = self.branches.pop()
                    self._undo(mark)
                    if not second:
                        break
                else:
                    return False
                value = not value
                self.branches.append((mark, var, value, True))
            start = len(self.trail)
            self._assign(var, value)
            ok = self._propagate(start)

    def changes(self):
        """What changed since the last call, for a copy of this state kept elsewhere (the heuristic's process).

        [kept, added, conflicts]: keep the first `kept` trail entries, append `added` ([variable, value, level]
        each) and count one more conflict for each variable in `conflicts`.
        """
        added = [[var, self.assignments[var], self.level[var]] for var in self.trail[self._kept:]]
        message = [self._kept, added, self._new_conflicts]
        self._kept = len(self.trail)
        self._new_conflicts = []
        return message


def solve(num_vars, clauses, heuristic_fn):
    """Solve in this process with heuristic_fn(clauses, assignments, conflict_count, assignment_history, level).

    Returns (satisfiable, assignments, decisions). heuristic_fn sees the clauses not yet satisfied, reduced to
    their unassigned literals.
    """
    solver = DPLL(num_vars, clauses)
    search = solver.search()
    try:
        next(search)
        while True:
            choice = heuristic_fn(simplify(solver.clauses, solver.assignments), dict(solver.assignments),
                                  dict(solver.conflict_count), list(solver.trail), dict(solver.level))
            problem = solver.check_choice(choice)
            if problem:
                raise ValueError(problem)
            search.send(tuple(choice))
    except StopIteration as done:
        return done.value, dict(solver.assignments), solver.num_decisions
