"""Prepare the Titanic stand-in: stablelearner's passengers (crew dropped) in Kaggle's column layout.

The 418 unlabelled rows of test.csv mix the validation and the test split (209 each); their labels go to the
hidden files of each split.
"""

import json
import os

import numpy as np
import pandas as pd
import rdata

SEED = int(os.environ.get("LABGYM_SEED", "0"))
raw = rdata.conversion.convert(rdata.parser.parse_file("sources/r-cran-stablelearner/titanic.rda"))["titanic"]
passengers = raw[raw["class"].astype(str).isin(["1st", "2nd", "3rd"])].reset_index(drop=True)

frame = pd.DataFrame({
    "Survived": (passengers["survived"].astype(str) == "yes").astype(int),
    "Pclass": passengers["class"].astype(str).str[0].astype(int),
    "Name": passengers["name"].astype(str),
    "Sex": passengers["gender"].astype(str),
    "Age": passengers["age"].astype(float).round(2),
    "SibSp": pd.to_numeric(passengers["sibsp"].astype(str), errors="coerce").astype("Int64"),
    "Parch": pd.to_numeric(passengers["parch"].astype(str), errors="coerce").astype("Int64"),
    "Ticket": passengers["ticketno"].astype(str).replace("nan", ""),
    "Fare": passengers["fare"].astype(float).round(4),
    "Embarked": passengers["embarked"].astype(str),
    "Country": passengers["country"].astype(str).replace("nan", ""),
})
rng = np.random.default_rng(SEED)
frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
frame.insert(0, "PassengerId", np.arange(1, len(frame) + 1))

train, held_out = frame.iloc[:899], frame.iloc[899:]
validation, test = held_out.iloc[:209], held_out.iloc[209:]

os.makedirs("out/public", exist_ok=True)
train.to_csv("out/public/train.csv", index=False)
held_out.drop(columns=["Survived"]).to_csv("out/public/test.csv", index=False)
pd.DataFrame({"PassengerId": held_out["PassengerId"], "Survived": 0}).to_csv("out/public/sample_submission.csv", index=False)
for split, rows in (("validation", validation), ("test", test)):
    os.makedirs("out/hidden/%s" % split, exist_ok=True)
    rows[["PassengerId", "Survived"]].to_csv("out/hidden/%s/answers.csv" % split, index=False)
with open("out/splits.json", "w") as f:
    json.dump({"train": len(train), "validation": len(validation), "test": len(test)}, f)
print("passengers %d, survival %.3f" % (len(frame), frame["Survived"].mean()))
