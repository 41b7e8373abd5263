"""Prepare FineWeb from the user's modded-nanogpt token shards into the languageModeling layout.

Shard format (modded-nanogpt's data/cached_fineweb10B.py): a header of 256 int32 (magic 20240520, version 1,
token count, then zeros), then the tokens as uint16 GPT-2 ids; documents start with <|endoftext|> (50256).

- train: every token of the train shard (public train.bin);
- validation: the first SPLIT_TOKENS tokens of the val shard (public val.bin, and hidden for validate);
- test: SPLIT_TOKENS tokens of the val shard from the first document that starts at least SPLIT_TOKENS tokens
  after the validation part ends, so no document is in both (hidden only).
"""

import glob
import json
import os

import numpy as np

MAGIC, VERSION = 20240520, 1
EOT = 50256
SPLIT_TOKENS = 262144


def read_shard(source):
    paths = glob.glob("sources/%s/**/*.bin" % source, recursive=True) or glob.glob("sources/%s" % source)
    path = [p for p in paths if os.path.isfile(p)][0]
    header = np.fromfile(path, dtype="<i4", count=256)
    if len(header) < 256 or header[0] != MAGIC or header[1] != VERSION:
        raise SystemExit("%s is not a modded-nanogpt token shard (magic %d, version %d expected)" % (path, MAGIC, VERSION))
    count = int(header[2])
    tokens = np.fromfile(path, dtype="<u2", offset=256 * 4)
    if len(tokens) != count:
        raise SystemExit("%s: the header says %d tokens, the file holds %d" % (path, count, len(tokens)))
    return tokens


def main():
    train = read_shard("train_shard")
    val_shard = read_shard("val_shard")
    validation = val_shard[:SPLIT_TOKENS]
    boundaries = np.flatnonzero(val_shard[2 * SPLIT_TOKENS:] == EOT)
    if len(boundaries) == 0 or 2 * SPLIT_TOKENS + boundaries[0] + SPLIT_TOKENS > len(val_shard):
        raise SystemExit("the val shard is too short: it needs a document start after token %d and %d tokens from there"
                         % (2 * SPLIT_TOKENS, SPLIT_TOKENS))
    start = 2 * SPLIT_TOKENS + int(boundaries[0])
    test = val_shard[start:start + SPLIT_TOKENS]

    meta = {"tokenizer": "gpt2", "vocab_size": 50257, "dtype": "uint16", "eot_token": EOT, "vocab": None}
    os.makedirs("out/public", exist_ok=True)
    train.astype(np.uint16).tofile("out/public/train.bin")
    validation.astype(np.uint16).tofile("out/public/val.bin")
    with open("out/public/meta.json", "w") as f:
        json.dump(dict(meta, train_tokens=len(train), val_tokens=len(validation)), f, indent=1)
    for split, tokens in (("validation", validation), ("test", test)):
        os.makedirs("out/hidden/%s" % split, exist_ok=True)
        tokens.astype(np.uint16).tofile("out/hidden/%s/tokens.bin" % split)
        with open("out/hidden/%s/meta.json" % split, "w") as f:
            json.dump(dict(meta, tokens=len(tokens)), f)
    with open("out/splits.json", "w") as f:
        json.dump({"train": len(train), "validation": len(validation), "test": len(test)}, f)
    print("train %d tokens, validation %d, test %d (from token %d of the val shard)" % (len(train), len(validation), len(test), start))


if __name__ == "__main__":
    main()
