"""Baseline for the House Prices task: impute, scale and one-hot encode, then a ridge regression (as MLGym's).

Writes submission.csv with a SalePrice for every house of data/test.csv.
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test.csv")

features = train.drop(columns=["Id", "SalePrice"])
numeric = features.select_dtypes(include="number").columns
categorical = features.select_dtypes(exclude="number").columns
preprocess = ColumnTransformer([
    ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
    ("categorical", Pipeline([
        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
        ("onehot", OneHotEncoder(handle_unknown="ignore")),
    ]), categorical),
])
model = Pipeline([("preprocess", preprocess), ("ridge", Ridge(alpha=0.1))])
model.fit(features, train["SalePrice"])

fitted = model.predict(features)
print("train r2 %.4f, rmse %.0f" % (r2_score(train["SalePrice"], fitted), mean_squared_error(train["SalePrice"], fitted) ** 0.5))
pd.DataFrame({"Id": test["Id"], "SalePrice": model.predict(test.drop(columns=["Id"]))}).to_csv("submission.csv", index=False)
print("wrote submission.csv")
