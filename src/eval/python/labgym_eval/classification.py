"""Classification tasks: submission.csv (id, label) of integer classes, scored by accuracy against hidden answers."""

import os

from labgym_eval import fail, hidden_path, write_metrics

def read_label_submission(path):
    """submission.csv as a DataFrame with integer columns id and label (one row per id); anything else fails."""
    import pandas as pd

    try:
        submission = pd.read_csv(path)
    except Exception as error:  # any unreadable file is the submission's fault
        fail("cannot read %s as CSV: %s" % (path, error))
    missing = {"id", "label"} - set(submission.columns)
    if missing:
        fail("%s lacks the column(s) %s; it needs id and label, like data/sample_submission.csv (found: %s)"
             % (path, ", ".join(sorted(missing)), ", ".join(map(str, submission.columns)) or "none"))
    for column in ("id", "label"):
        values = pd.to_numeric(submission[column], errors="coerce")
        bad = values.isna() | (values != values.round())
        if bad.any():
            first = int(bad.idxmax())
            fail("%s: column %s must hold integers (line %d has %r)" % (path, column, first + 2, submission[column][first]))
        submission[column] = values.astype(int)
    return submission.drop_duplicates("id")


def score_classification(inputs, submission_file=None, answers="answers.csv", metric="accuracy"):
    """The whole evaluator of a classification task: reads `--submission_file` (default submission.csv; or
    `submission_file`), compares its labels with the split's hidden `answers` (columns id, label) and reports
    `metric` = the fraction of the split's rows predicted right. `inputs` names the agent's unlabelled file in
    messages (e.g. "test_images.npy"). A missing id fails the evaluation; ids of the other split are ignored."""
    import pandas as pd

    if submission_file is None:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--submission_file", default="submission.csv")
        submission_file = parser.parse_args().submission_file
    submission = read_label_submission(submission_file)
    if not os.path.exists(hidden_path(answers)):
        fail("the labels are hidden from the workspace; use the validate command to score a submission")
    truth = pd.read_csv(hidden_path(answers))
    merged = truth.merge(submission[["id", "label"]], on="id", how="left", suffixes=("", "_predicted"))
    absent = merged["label_predicted"].isna()
    if absent.any():
        fail("%s has no prediction for %d images of %s (e.g. id %d)"
             % (submission_file, int(absent.sum()), inputs, int(merged["id"][absent].iloc[0])))
    accuracy = float((merged["label_predicted"].astype(int) == merged["label"]).mean())
    write_metrics({metric: accuracy})
