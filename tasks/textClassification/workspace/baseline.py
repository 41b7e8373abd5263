"""Baseline for the text classification task: TF-IDF features of each text column, then a logistic regression.

Works on both shapes of data: one text (review) or a sentence pair (premise, hypothesis); every column other
than id and label is a text column with its own vectorizer. Writes submission.csv.
"""

import os

import pandas as pd
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

REDUCED = os.environ.get("LABGYM_SCALE") == "reduced"
MAX_TRAIN = 20000 if REDUCED else None  # only large data sets (MultiNLI) are cut down at the reduced scale

train = pd.read_csv("data/train.csv", keep_default_na=False)
test = pd.read_csv("data/test.csv", keep_default_na=False)
if MAX_TRAIN and len(train) > MAX_TRAIN:
    train = train.sample(MAX_TRAIN, random_state=0)
columns = [column for column in train.columns if column not in ("id", "label")]

vectorizers = {column: TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True) for column in columns}
train_features = scipy.sparse.hstack([vectorizers[c].fit_transform(train[c]) for c in columns]).tocsr()
test_features = scipy.sparse.hstack([vectorizers[c].transform(test[c]) for c in columns]).tocsr()

model = LogisticRegression(C=4.0, max_iter=1000)
model.fit(train_features, train["label"])
print("text columns %s, %d training rows, %d features, train accuracy %.4f" % (
    columns, len(train), train_features.shape[1], model.score(train_features, train["label"])))
pd.DataFrame({"id": test["id"], "label": model.predict(test_features)}).to_csv("submission.csv", index=False)
print("wrote submission.csv")
