"""Prepare MultiNLI 1.0 (user-supplied multinli_1.0.zip) in the layout of the text classification task.

Reads multinli_1.0_train.jsonl (the training set) and multinli_1.0_dev_matched.jsonl (the held-out pairs, as
MLGym evaluated on validation_matched) from the official zip, unchanged. Pairs without a gold label ("-": the
annotators did not agree) are dropped, as in the usual MNLI evaluation. test.csv mixes the held-out pairs; each
is assigned at random to the validation or the test split, whose labels go to that split's hidden answers.csv.
"""

import csv
import glob
import json
import os
import zipfile

import numpy as np

SEED = int(os.environ.get("LABGYM_SEED", "0"))
LABELS = ("entailment", "neutral", "contradiction")


def member(archive, suffix):
    # the official zip also holds __MACOSX/._* resource forks with the same names
    names = [n for n in archive.namelist() if n.endswith(suffix) and not n.startswith("__MACOSX") and "/._" not in n]
    if not names:
        raise SystemExit("multinli_1.0.zip holds no %s" % suffix)
    return names[0]


def pairs(archive, suffix):
    rows = []
    with archive.open(member(archive, suffix)) as f:
        for line in f:
            record = json.loads(line)
            if record["gold_label"] in LABELS:
                rows.append((record["genre"], record["sentence1"], record["sentence2"], record["gold_label"]))
    return rows


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


found = glob.glob("sources/multinli/*.zip") + glob.glob("sources/multinli.zip")
if not found:
    raise SystemExit("no multinli_1.0.zip among the sources")
with zipfile.ZipFile(found[0]) as archive:
    train = pairs(archive, "multinli_1.0_train.jsonl")
    held_out = pairs(archive, "multinli_1.0_dev_matched.jsonl")

rng = np.random.default_rng(SEED)
held_out = [held_out[i] for i in rng.permutation(len(held_out))]
first = len(train) + 1
in_validation = np.zeros(len(held_out), dtype=bool)
in_validation[rng.permutation(len(held_out))[: (len(held_out) + 1) // 2]] = True

os.makedirs("out/public", exist_ok=True)
write("out/public/train.csv", ["id", "genre", "premise", "hypothesis", "label"], [(i + 1,) + row for i, row in enumerate(train)])
write("out/public/test.csv", ["id", "genre", "premise", "hypothesis"], [(first + i,) + row[:3] for i, row in enumerate(held_out)])
write("out/public/sample_submission.csv", ["id", "label"], [(first + i, "entailment") for i in range(len(held_out))])
for split, chosen in (("validation", in_validation), ("test", ~in_validation)):
    os.makedirs("out/hidden/%s" % split, exist_ok=True)
    write("out/hidden/%s/answers.csv" % split, ["id", "label"], [(first + i, row[3]) for i, row in enumerate(held_out) if chosen[i]])
with open("out/splits.json", "w") as f:
    json.dump({"train": len(train), "validation": int(in_validation.sum()), "test": int((~in_validation).sum())}, f)
print("pairs %d train, %d held out" % (len(train), len(held_out)))
