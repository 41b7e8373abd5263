"""Score a text classification submission: accuracy of `label` on the rows of the split being scored.

submission.csv must have the columns id and label and one row per row of data/test.csv; a label that is not
one of the task's classes counts as wrong.
"""

import argparse
import os

import pandas as pd

import labgym_eval as lab


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    try:
        submission = pd.read_csv(args.submission_file, dtype={"label": str}, keep_default_na=False)
    except Exception as error:  # any unreadable file is the submission's fault
        lab.fail("cannot read %s as CSV: %s" % (args.submission_file, error))
    missing = {"id", "label"} - set(submission.columns)
    if missing:
        lab.fail("submission.csv lacks the column(s) %s" % ", ".join(sorted(missing)))
    submission["id"] = pd.to_numeric(submission["id"], errors="coerce")
    submission = submission[submission["id"].notna()]
    if submission["id"].duplicated().any():
        lab.fail("submission.csv has more than one row for id %s" % submission["id"][submission["id"].duplicated()].iloc[0])
    predicted = submission.set_index("id")["label"].str.strip()

    if not os.path.exists(lab.hidden_path("answers.csv")):
        lab.fail("the labels are hidden from the workspace; use the validate command to score a submission")
    answers = pd.read_csv(lab.hidden_path("answers.csv"), dtype={"label": str}, keep_default_na=False)
    absent = ~answers["id"].isin(predicted.index)
    if absent.any():
        lab.fail("submission.csv has no label for %d rows of test.csv (e.g. id %d)" % (absent.sum(), answers["id"][absent].iloc[0]))
    accuracy = float((predicted.loc[answers["id"]].to_numpy() == answers["label"].to_numpy()).mean())
    lab.write_metrics({"accuracy": accuracy})


if __name__ == "__main__":
    main()
