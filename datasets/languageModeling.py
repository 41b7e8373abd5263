"""Prepare the FineWeb stand-in: public-domain English, split by document, tokenised per character.

Documents: the King James Bible (one document, from the `bible` program of the builder image), Jane Austen's six
novels (janeaustenr's R data, read with rdata), the 233 State of the Union addresses (one document each) and
Moby-Dick (etymology, extracts, 135 chapters and epilogue, one document each).

Splits, by document:
- the KJV goes to train whole: the `bible` program is installed in every task image, so any KJV text in a
  held-out split could be looked up by the agent's code;
- Austen: Northanger Abbey is validation, Persuasion is test, the other four novels train;
- State of the Union and Moby-Dick: a seeded shuffle puts 10% of the documents in validation, 10% in test.

Tokens (vocabulary of 97): 0 is "\\n", 1..95 are the printable ASCII characters " " to "~" (token = code - 31),
96 is <|endoftext|>, written before every document (as in FineWeb's GPT-2 shards). Text is first folded to ASCII:
typographic quotes and dashes become their ASCII forms, accents are dropped, other characters are removed.
Outputs: public train.bin / val.bin (uint8 token arrays) and meta.json; hidden/<split>/tokens.bin + meta.json.
"""

import bz2
import glob
import gzip
import json
import lzma
import os
import re
import struct
import subprocess
import unicodedata
import zlib

import numpy as np
import rdata

SEED = int(os.environ.get("LABGYM_SEED", "0"))
EOT = 96
VOCAB = ["\n"] + [chr(code) for code in range(32, 127)] + ["<|endoftext|>"]
FOLD = {"\u2014": "--", "\u2013": "-", "\u2011": "-", "\u2010": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u2026": "...", "\t": " ", "\r": ""}


def to_ascii(text):
    text = "".join(FOLD.get(char, char) for char in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^\n\x20-\x7e]", "", text)


def encode(text):
    codes = np.frombuffer(to_ascii(text).encode("ascii"), dtype=np.uint8).astype(np.int16) - 31
    codes[codes == 10 - 31] = 0  # "\n"
    assert codes.min() >= 0 and codes.max() < EOT
    return np.concatenate([[EOT], codes]).astype(np.uint8)


def decompress(raw):
    """One object of a lazy-load database: a 4-byte big-endian length, then zlib data or a type byte and data."""
    size, kind = struct.unpack(">I", raw[:4])[0], raw[4:5]
    if kind == b"Z":
        data = lzma.decompress(raw[5:], format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
    elif kind == b"2":
        data = bz2.decompress(raw[5:])
    elif kind == b"0":
        data = raw[5:]
    else:
        data = zlib.decompress(raw[4:])
    assert len(data) == size
    return data


def lazy_load(base):
    """All objects of an R lazy-load database (data/Rdata.rdb + .rdx), without R."""
    index = rdata.conversion.convert(rdata.parser.parse_data(b"RDX3\n" + gzip.open(base + ".rdx").read()))
    objects = {}
    with open(base + ".rdb", "rb") as f:
        for name, (offset, length) in index["variables"].items():
            f.seek(int(offset))
            raw = f.read(int(length))
            data = decompress(raw)
            objects[name] = rdata.conversion.convert(rdata.parser.parse_data(b"RDX3\n" + data))
    return objects


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    splits = {"train": [], "validation": [], "test": []}

    kjv = subprocess.run(["bible", "gen1:1-rev22:21"], capture_output=True, text=True, check=True).stdout
    splits["train"].append(("kjv", kjv))

    austen_split = {"northangerabbey": "validation", "persuasion": "test"}
    rdb = glob.glob("sources/austen/**/Rdata.rdb", recursive=True)[0]
    for name, lines in sorted(lazy_load(rdb[: -len(".rdb")]).items()):
        text = "\n".join("" if line is None else str(line) for line in lines)
        splits[austen_split.get(name, "train")].append(("austen/" + name, text))

    rng = np.random.default_rng(SEED)
    sotu = sorted(glob.glob("sources/sotu/**/*.txt", recursive=True))
    moby = sorted(path for path in glob.glob("sources/moby-dick/**/*.txt", recursive=True)
                  if re.search(r"(chapter_\d+|etymology|extracts|epilogue)\.txt$", path))
    assert len(sotu) == 233 and len(moby) == 138, (len(sotu), len(moby))
    for corpus, paths in (("sotu", sotu), ("moby-dick", moby)):
        order = rng.permutation(len(paths))
        held = len(paths) // 10
        for rank, i in enumerate(order):
            split = "validation" if rank < held else "test" if rank < 2 * held else "train"
            splits[split].append(("%s/%s" % (corpus, os.path.basename(paths[i])[:-4]), read(paths[i])))

    tokens = {split: np.concatenate([encode(text) for _, text in docs]) for split, docs in splits.items()}
    meta = {"tokenizer": "char", "vocab_size": len(VOCAB), "dtype": "uint8", "eot_token": EOT, "vocab": VOCAB}

    os.makedirs("out/public", exist_ok=True)
    tokens["train"].tofile("out/public/train.bin")
    tokens["validation"].tofile("out/public/val.bin")
    public_meta = dict(meta, train_tokens=len(tokens["train"]), val_tokens=len(tokens["validation"]),
                       documents={split: [name for name, _ in docs] for split, docs in splits.items() if split != "test"})
    with open("out/public/meta.json", "w") as f:
        json.dump(public_meta, f, indent=1)
    for split in ("validation", "test"):
        os.makedirs("out/hidden/%s" % split, exist_ok=True)
        tokens[split].tofile("out/hidden/%s/tokens.bin" % split)
        with open("out/hidden/%s/meta.json" % split, "w") as f:
            json.dump(dict(meta, tokens=len(tokens[split])), f)
    with open("out/splits.json", "w") as f:
        json.dump({split: int(len(array)) for split, array in tokens.items()}, f)
    for split, docs in splits.items():
        print("%s: %d documents, %d tokens" % (split, len(docs), len(tokens[split])))


if __name__ == "__main__":
    main()
