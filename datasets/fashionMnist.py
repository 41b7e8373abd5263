"""Prepare Fashion-MNIST from Debian's IDX files.

Public: the 60000 training images with their labels, and Fashion-MNIST's 10000 test images shuffled (seeded)
into one unlabelled file whose first half of a second seeded permutation is the validation split and the rest
the test split; each split's labels go to its hidden answers.csv (id = row of test_images.npy).
"""

import gzip
import json
import os

import numpy as np

SEED = int(os.environ.get("LABGYM_SEED", "0"))
SOURCE = "sources/dataset-fashion-mnist"


def read_idx(name):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_csv(path, ids, labels):
    with open(path, "w") as f:
        f.write("id,label\n")
        f.writelines("%d,%d\n" % (i, label) for i, label in zip(ids, labels))


train_images = read_idx("train-images-idx3-ubyte.gz")
train_labels = read_idx("train-labels-idx1-ubyte.gz").astype(np.int64)
test_images = read_idx("t10k-images-idx3-ubyte.gz")
test_labels = read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)

rng = np.random.default_rng(SEED)
order = rng.permutation(len(test_images))
test_images, test_labels = test_images[order], test_labels[order]
ids = rng.permutation(len(test_images))
halves = {"validation": np.sort(ids[:len(ids) // 2]), "test": np.sort(ids[len(ids) // 2:])}

os.makedirs("out/public", exist_ok=True)
np.save("out/public/train_images.npy", train_images)
np.save("out/public/train_labels.npy", train_labels)
np.save("out/public/test_images.npy", test_images)
write_csv("out/public/sample_submission.csv", range(len(test_images)), [0] * len(test_images))
for split, rows in halves.items():
    os.makedirs("out/hidden/%s" % split, exist_ok=True)
    write_csv("out/hidden/%s/answers.csv" % split, rows, test_labels[rows])
with open("out/splits.json", "w") as f:
    json.dump({"train": len(train_images), "validation": len(halves["validation"]), "test": len(halves["test"])}, f)
print("train %s, test %s, label counts %s" % (train_images.shape, test_images.shape, np.bincount(test_labels).tolist()))
