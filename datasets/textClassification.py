"""Prepare the text classification stand-in: modeldata's `small_fine_foods` (Amazon fine-food reviews).

modeldata keeps it as two objects, training_data (4000 reviews) and testing_data (1000), in an R lazy-load
database (data/Rdata.rdb, .rdx); python3-rdata reads serialized R objects but not that container, so the index
and the objects needed are unpacked here. training_data is the training set; testing_data is the unlabelled
test.csv, each review assigned at random to the validation or the test split, whose labels go to that split's
hidden answers.csv.
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


def reviews(name, rng):
    raw = load_lazy(name)
    frame = pd.DataFrame({"review": raw["review"].astype(str), "label": raw["score"].astype(str)})
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


rng = np.random.default_rng(SEED)
train = reviews("training_data", rng)
held_out = reviews("testing_data", rng)
train.insert(0, "id", np.arange(1, len(train) + 1))
held_out.insert(0, "id", np.arange(len(train) + 1, len(train) + len(held_out) + 1))
in_validation = np.zeros(len(held_out), dtype=bool)
in_validation[rng.permutation(len(held_out))[: len(held_out) // 2]] = True
splits = {"validation": held_out[in_validation], "test": held_out[~in_validation]}

os.makedirs("out/public", exist_ok=True)
train.to_csv("out/public/train.csv", index=False)
held_out.drop(columns=["label"]).to_csv("out/public/test.csv", index=False)
pd.DataFrame({"id": held_out["id"], "label": "great"}).to_csv("out/public/sample_submission.csv", index=False)
for split, rows in splits.items():
    os.makedirs("out/hidden/%s" % split, exist_ok=True)
    rows[["id", "label"]].to_csv("out/hidden/%s/answers.csv" % split, index=False)
with open("out/splits.json", "w") as f:
    json.dump({"train": len(train), "validation": len(splits["validation"]), "test": len(splits["test"])}, f)
print("reviews %d + %d, share great %.3f" % (len(train), len(held_out), (train["label"] == "great").mean()))
