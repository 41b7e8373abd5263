"""Score a House Prices submission: r2 and rmse of SalePrice on the houses of the split being scored.

submission.csv must have the columns Id and SalePrice (a finite number) and one row per house of data/test.csv.
"""

import argparse
import os

import numpy as np
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
    missing = {"Id", "SalePrice"} - set(submission.columns)
    if missing:
        lab.fail("submission.csv lacks the column(s) %s" % ", ".join(sorted(missing)))
    ids = pd.to_numeric(submission["Id"], errors="coerce")
    prices = pd.to_numeric(submission["SalePrice"], errors="coerce")
    bad = submission["SalePrice"][~np.isfinite(prices)]
    if len(bad):
        lab.fail("SalePrice must be a number; %d row(s) are not, e.g. %r" % (len(bad), bad.iloc[0]))
    predicted = pd.Series(prices.values, index=ids.values).loc[ids.notna().values]
    if predicted.index.duplicated().any():
        lab.fail("submission.csv has more than one row for Id %d" % predicted.index[predicted.index.duplicated()][0])

    if not os.path.exists(lab.hidden_path("answers.csv")):
        lab.fail("the labels are hidden from the workspace; use the validate command to score a submission")
    answers = pd.read_csv(lab.hidden_path("answers.csv"))
    absent = ~answers["Id"].isin(predicted.index)
    if absent.any():
        lab.fail("submission.csv has no SalePrice for %d houses of test.csv (e.g. Id %d)" % (absent.sum(), answers["Id"][absent].iloc[0]))
    truth = answers["SalePrice"].to_numpy(dtype=float)
    guess = predicted.loc[answers["Id"]].to_numpy(dtype=float)
    rmse = float(np.sqrt(np.mean((truth - guess) ** 2)))
    r2 = 1 - float(np.sum((truth - guess) ** 2) / np.sum((truth - truth.mean()) ** 2))
    if not np.isfinite(rmse):
        lab.fail("the predicted SalePrices are too large to score")
    lab.write_metrics({"r2": r2, "rmse": rmse})


if __name__ == "__main__":
    main()
