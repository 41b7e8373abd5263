"""Prepare the House Prices stand-in: modeldata's `ames` (De Cock's Ames, Iowa sales) with Kaggle's Id and SalePrice.

modeldata keeps its data in an R lazy-load database (data/Rdata.rdb, .rdx); python3-rdata reads serialized R
objects but not that container, so the index and the one object needed are unpacked here. 20 % of the houses
are held out (as in MLGym's split) and mixed in one unlabelled test.csv; each held-out house is assigned at
random to the validation or the test split, whose labels go to that split's hidden answers.csv.
"""

import bz2
import gzip
import json
import lzma
import os
import struct
import warnings
import zlib

import numpy as np
import pandas as pd
import rdata

SEED = int(os.environ.get("LABGYM_SEED", "0"))
DATABASE = "sources/r-cran-modeldata/Rdata"
HELD_OUT = 586  # 20 % of 2930


def parse_r(serialized):
    # rdata expects a file header; the chunks of a lazy-load database are bare serialized objects (XDR, "X\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tibble classes fall back to data.frame, which is what we want
        return rdata.conversion.convert(rdata.parser.parse_data(b"RDX3\n" + serialized))


def decompress(chunk):
    """One chunk of an .rdb: a 4-byte big-endian length, then zlib data, or a type byte and xz/bzip2/raw data."""
    length = struct.unpack(">I", chunk[:4])[0]
    kind = chunk[4:5]
    if kind == b"Z":
        data = lzma.decompress(chunk[5:], format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
    elif kind == b"2":
        data = bz2.decompress(chunk[5:])
    elif kind == b"0":
        data = chunk[5:]
    else:
        data = zlib.decompress(chunk[4:])
    if len(data) != length:
        raise SystemExit("corrupt chunk in %s.rdb: %d bytes, expected %d" % (DATABASE, len(data), length))
    return data


def load_lazy(name):
    with gzip.open(DATABASE + ".rdx") as f:
        index = parse_r(f.read())
    offset, size = (int(x) for x in index["variables"][name])
    with open(DATABASE + ".rdb", "rb") as f:
        f.seek(offset)
        return parse_r(decompress(f.read(size)))


ames = load_lazy("ames")
frame = ames.rename(columns={"Sale_Price": "SalePrice"})
for column in frame.columns:
    if isinstance(frame[column].dtype, pd.CategoricalDtype):
        frame[column] = frame[column].astype(str).str.strip()
rng = np.random.default_rng(SEED)
frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
frame.insert(0, "Id", np.arange(1, len(frame) + 1))
frame = frame[[c for c in frame.columns if c != "SalePrice"] + ["SalePrice"]]

train, held_out = frame.iloc[:-HELD_OUT], frame.iloc[-HELD_OUT:]
in_validation = np.zeros(HELD_OUT, dtype=bool)
in_validation[rng.permutation(HELD_OUT)[: HELD_OUT // 2]] = True
splits = {"validation": held_out[in_validation], "test": held_out[~in_validation]}

os.makedirs("out/public", exist_ok=True)
train.to_csv("out/public/train.csv", index=False)
held_out.drop(columns=["SalePrice"]).to_csv("out/public/test.csv", index=False)
sample = pd.DataFrame({"Id": held_out["Id"], "SalePrice": round(float(train["SalePrice"].median()))})
sample.to_csv("out/public/sample_submission.csv", index=False)
for split, rows in splits.items():
    os.makedirs("out/hidden/%s" % split, exist_ok=True)
    rows[["Id", "SalePrice"]].to_csv("out/hidden/%s/answers.csv" % split, index=False)
with open("out/splits.json", "w") as f:
    json.dump({"train": len(train), "validation": len(splits["validation"]), "test": len(splits["test"])}, f)
print("houses %d, columns %d, median price %.0f" % (len(frame), frame.shape[1], frame["SalePrice"].median()))
