"""Score an image-classification submission: accuracy of `label` on the rows of the split being scored.

submission.csv must have the columns id and label, one row per image of data/test_images.npy (id = row, label =
the predicted class 0-9). Rows of the other split are not scored, but every id must be there.
"""

import argparse

import pandas as pd

import labgym_eval as lab

IMAGES = "test_images.npy"


def read_submission(path):
    try:
        submission = pd.read_csv(path)
    except Exception as error:  # any unreadable file is the submission's fault
        lab.fail("cannot read %s as CSV: %s" % (path, error))
    missing = {"id", "label"} - set(submission.columns)
    if missing:
        lab.fail("%s lacks the column(s) %s; it needs id and label, like data/sample_submission.csv (found: %s)"
                 % (path, ", ".join(sorted(missing)), ", ".join(map(str, submission.columns)) or "none"))
    for column in ("id", "label"):
        values = pd.to_numeric(submission[column], errors="coerce")
        bad = values.isna() | (values != values.round())
        if bad.any():
            first = int(bad.idxmax())
            lab.fail("%s: column %s must hold integers (line %d has %r)" % (path, column, first + 2, submission[column][first]))
        submission[column] = values.astype(int)
    return submission.drop_duplicates("id")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    submission = read_submission(args.submission_file)
    answers = pd.read_csv(lab.hidden_path("answers.csv"))
    merged = answers.merge(submission[["id", "label"]], on="id", how="left", suffixes=("", "_predicted"))
    absent = merged["label_predicted"].isna()
    if absent.any():
        lab.fail("%s has no prediction for %d images of %s (e.g. id %d)"
                 % (args.submission_file, int(absent.sum()), IMAGES, int(merged["id"][absent].iloc[0])))
    accuracy = float((merged["label_predicted"].astype(int) == merged["label"]).mean())
    lab.write_metrics({"accuracy": accuracy})


if __name__ == "__main__":
    main()
