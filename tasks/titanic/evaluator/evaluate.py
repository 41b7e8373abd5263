"""Score a Titanic submission: accuracy of `Survived` on the rows of the split being scored.

submission.csv must have the columns PassengerId and Survived and one row per passenger of data/test.csv.
"""

import argparse

import pandas as pd

import labgym_eval as lab


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    try:
        submission = pd.read_csv(args.submission_file)
    except Exception as error:  # any unreadable file is the submission's fault
        lab.fail("cannot read %s as CSV: %s" % (args.submission_file, error))
    missing = {"PassengerId", "Survived"} - set(submission.columns)
    if missing:
        lab.fail("submission.csv lacks the column(s) %s" % ", ".join(sorted(missing)))
    answers = pd.read_csv(lab.hidden_path("answers.csv"))
    merged = answers.merge(submission.drop_duplicates("PassengerId"), on="PassengerId", how="left", suffixes=("", "_predicted"))
    if merged["Survived_predicted"].isna().any():
        lab.fail("submission.csv has no prediction for %d passengers of test.csv" % merged["Survived_predicted"].isna().sum())
    accuracy = float((merged["Survived_predicted"].astype(int) == merged["Survived"]).mean())
    lab.write_metrics({"accuracy": accuracy})


if __name__ == "__main__":
    main()
