"""Generate the 3-SAT instances: uniform random 3-SAT near the phase transition, labelled with pycosat.

Each clause has 3 distinct variables with random signs; a formula over n variables has round(4.26 n) clauses,
where about half of the random formulas are satisfiable. Every split keeps exactly as many satisfiable as
unsatisfiable instances, alternating SAT, UNSAT, SAT, ... so that any prefix (the reduced scale) stays balanced.
The splits come from different seeds: train is public, validation and test are hidden.
"""

import json
import os
import random

import pycosat

SEED = int(os.environ.get("LABGYM_SEED", "0"))
RATIO = 4.26
SIZES = {"train": 200, "validation": 200, "test": 200}
NUM_VARS = (30, 40, 50)  # cycled through, one size per SAT/UNSAT pair


def random_formula(rng, num_vars):
    clauses = []
    for _ in range(round(RATIO * num_vars)):
        variables = rng.sample(range(1, num_vars + 1), 3)
        clauses.append([v if rng.random() < 0.5 else -v for v in variables])
    return clauses


def generate(split, count, seed):
    rng = random.Random(seed)
    instances = []
    while len(instances) < count:
        num_vars = NUM_VARS[(len(instances) // 2) % len(NUM_VARS)]
        want_sat = len(instances) % 2 == 0
        while True:
            clauses = random_formula(rng, num_vars)
            if (pycosat.solve(clauses) != "UNSAT") == want_sat:
                break
        instances.append({"id": "%s-%04d" % (split, len(instances)), "num_vars": num_vars, "clauses": clauses,
                          "satisfiable": want_sat})
    return instances


def write(path, instances):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(instances, f, separators=(",", ":"))


def main():
    splits = {}
    for offset, (split, count) in enumerate(SIZES.items()):
        instances = generate(split, count, SEED * 1000 + offset)
        if split == "train":
            write("out/public/train.json", instances)
        else:
            write("out/hidden/%s/instances.json" % split, instances)
        splits[split] = len(instances)
    with open("out/splits.json", "w") as f:
        json.dump(splits, f)
    print("instances per split: %s" % splits)


if __name__ == "__main__":
    main()
