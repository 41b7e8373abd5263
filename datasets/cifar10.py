"""Prepare CIFAR-10 from the official python batches (cifar-10-python.tar.gz), or from a generated sample.

With the user's tarball in sources/ (dataset cifar10), its batches are converted. Without one (dataset
cifar10Sample), a small seeded tarball in the exact same format is generated first (class-dependent colours and
stripe orientations plus noise, so a classifier can learn it), then converted by the same code.

Public: train_images.npy (N, 32, 32, 3) uint8 and train_labels.npy from data_batch_1..5; test_images.npy, the
test_batch images shuffled (seeded), mixing the validation split (half of the rows, seeded) and the test split;
each split's labels go to its hidden answers.csv (id = row of test_images.npy).
"""

import glob
import io
import json
import os
import pickle
import tarfile

import numpy as np

SEED = int(os.environ.get("LABGYM_SEED", "0"))
FOLDER = "cifar-10-batches-py"
LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
SAMPLE_TRAIN, SAMPLE_TEST = 2000, 1000


class BatchUnpickler(pickle.Unpickler):
    """Unpickles only plain data and numpy arrays: a tarball should never run code while it is read."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError("unexpected object %s.%s in a CIFAR batch" % (module, name))
        return super().find_class(module, name)


def sample_images(rng, labels):
    """Images of each class: a class colour plus a stripe pattern of class-specific orientation, jitter and noise."""
    colours = np.random.default_rng(12345).uniform(50, 205, size=(10, 3))
    angles = np.arange(10) * np.pi / 10
    y, x = np.mgrid[0:32, 0:32]
    images = np.empty((len(labels), 32, 32, 3), dtype=np.float32)
    for i, label in enumerate(labels):
        angle = angles[label] + rng.normal(0, 0.08)
        stripes = np.sin(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / 8 + rng.uniform(0, 2 * np.pi))
        colour = colours[label] + rng.normal(0, 30, size=3)
        images[i] = colour + 45 * stripes[..., None] * rng.uniform(0.5, 1.0)
    images += rng.normal(0, 35, size=images.shape)
    return np.clip(images, 0, 255).round().astype(np.uint8)


def batch_bytes(name, images, labels):
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)  # CIFAR's layout: 1024 red, 1024 green, 1024 blue
    batch = {b"batch_label": name.encode(), b"labels": [int(label) for label in labels], b"data": rows,
             b"filenames": [b"sample_%05d.png" % i for i in range(len(images))]}
    return pickle.dumps(batch, protocol=2)


def write_sample(path):
    rng = np.random.default_rng(SEED)
    files = {"batches.meta": pickle.dumps({b"num_cases_per_batch": SAMPLE_TRAIN // 5, b"num_vis": 3072,
                                           b"label_names": [name.encode() for name in LABEL_NAMES]}, protocol=2)}
    for name, count in [("data_batch_%d" % i, SAMPLE_TRAIN // 5) for i in range(1, 6)] + [("test_batch", SAMPLE_TEST)]:
        labels = rng.permutation(np.arange(count) % 10)
        files[name] = batch_bytes(name, sample_images(rng, labels), labels)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo("%s/%s" % (FOLDER, name))
            info.size, info.mtime = len(data), 0
            archive.addfile(info, io.BytesIO(data))


def read_batches(path):
    """(images (N, 32, 32, 3), labels) of each batch in the tarball, by batch name."""
    batches = {}
    with tarfile.open(path, "r:gz") as archive:
        for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch", "batches.meta"]:
            member = archive.extractfile("%s/%s" % (FOLDER, name))
            batches[name] = BatchUnpickler(member, encoding="bytes").load()
    names = [name.decode() for name in batches.pop("batches.meta")[b"label_names"]]
    if names != LABEL_NAMES:
        raise SystemExit("batches.meta names the classes %s, expected %s" % (names, LABEL_NAMES))
    converted = {}
    for name, batch in batches.items():
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        converted[name] = (data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(batch[b"labels"], dtype=np.int64))
    return converted


def write_csv(path, ids, labels):
    with open(path, "w") as f:
        f.write("id,label\n")
        f.writelines("%d,%d\n" % (i, label) for i, label in zip(ids, labels))


tarballs = glob.glob("sources/**/*.tar.gz", recursive=True)
if tarballs:
    source = tarballs[0]
else:
    source = "/tmp/cifar-10-python-sample.tar.gz"
    write_sample(source)
    print("no CIFAR-10 tarball supplied: generated a sample (%d train, %d test images)" % (SAMPLE_TRAIN, SAMPLE_TEST))
batches = read_batches(source)
train_images = np.concatenate([batches["data_batch_%d" % i][0] for i in range(1, 6)])
train_labels = np.concatenate([batches["data_batch_%d" % i][1] for i in range(1, 6)])
test_images, test_labels = batches["test_batch"]

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
