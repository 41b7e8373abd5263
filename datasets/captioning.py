"""Prepare the captioning stand-in: 2x2 composites of Fashion-MNIST items with templated captions.

Each 56x56 image holds 2 to 4 items in the cells of a 2x2 grid (the other cells are black). Five reference
captions per image are written from five templates (counts, rows, rows read upwards, columns, cell by cell),
with synonyms drawn at random ("coat" or "jacket"), as COCO has five captions per image. Train composites use
Fashion-MNIST's train images; the held-out composites use its test images, so no item is seen in training.
test_images.npy mixes the validation and the test split; their references go to the hidden files.
"""

import csv
import gzip
import json
import os

import numpy as np

SEED = int(os.environ.get("LABGYM_SEED", "0"))
SOURCE = "sources/dataset-fashion-mnist"
TRAIN_IMAGES, VALIDATION_IMAGES, TEST_IMAGES = 20000, 1000, 1000

# (singular, plural) names per Fashion-MNIST class; the first is the usual one, the others are synonyms.
NAMES = [
    [("t-shirt", "t-shirts"), ("top", "tops")],
    [("pair of trousers", "pairs of trousers"), ("pair of pants", "pairs of pants")],
    [("pullover", "pullovers"), ("sweater", "sweaters")],
    [("dress", "dresses")],
    [("coat", "coats"), ("jacket", "jackets")],
    [("sandal", "sandals")],
    [("shirt", "shirts")],
    [("sneaker", "sneakers"), ("running shoe", "running shoes")],
    [("bag", "bags"), ("handbag", "handbags")],
    [("ankle boot", "ankle boots"), ("boot", "boots")],
]
COUNTS = {2: "two", 3: "three", 4: "four"}
CELLS = [(0, 0), (0, 1), (1, 0), (1, 1)]  # (row, column) of top left, top right, bottom left, bottom right
CELL_NAMES = ["top left", "top right", "bottom left", "bottom right"]


def read_idx(name):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Writer:
    """Phrases for one reference caption; synonyms are drawn once per caption, so a caption names a class one way."""

    def __init__(self, rng):
        self.names = [options[rng.integers(len(options))] if rng.random() < 0.4 else options[0] for options in NAMES]

    def one(self, label):
        noun = self.names[label][0]
        return ("an " if noun[0] in "aeiou" else "a ") + noun

    def group(self, labels):
        """'two shirts and a bag' for the labels in order of first appearance."""
        seen = []
        for label in labels:
            if label not in seen:
                seen.append(label)
        parts = []
        for label in seen:
            count = labels.count(label)
            parts.append(self.one(label) if count == 1 else "%s %s" % (COUNTS[count], self.names[label][1]))
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def captions(items, rng):
    """Five reference captions for items {cell index: label}."""
    in_cells = lambda cells: [items[c] for c in cells if c in items]
    top, bottom = in_cells([0, 1]), in_cells([2, 3])
    left, right = in_cells([0, 2]), in_cells([1, 3])
    reading = [items[c] for c in sorted(items)]
    w = [Writer(rng) for _ in range(5)]
    prefix = ["", "a picture of ", "an image of ", "a photo of "][rng.integers(4)]
    result = [prefix + w[0].group(reading)]
    if top and bottom:
        result.append("%s above %s" % (w[1].group(top), w[1].group(bottom)))
        result.append("%s below %s" % (w[2].group(bottom), w[2].group(top)))
    else:
        row = top or bottom
        result.append("%s to the left of %s" % (w[1].one(row[0]), w[1].one(row[1])))
        result.append("%s to the right of %s" % (w[2].one(row[1]), w[2].one(row[0])))
    if left and right:
        result.append("%s on the left and %s on the right" % (w[3].group(left), w[3].group(right)))
    else:
        column = left or right
        result.append("%s above %s" % (w[3].one(column[0]), w[3].one(column[1])))
    where = ["in the ", "at the "][rng.integers(2)]
    parts = ["%s %s%s" % (w[4].one(items[c]), where, CELL_NAMES[c]) for c in sorted(items)]
    result.append(", ".join(parts[:-1]) + " and " + parts[-1])
    return result


def composites(images, labels, count, rng):
    """`count` composites; items are drawn without repeats until the source images run out."""
    order = np.concatenate([rng.permutation(len(images)) for _ in range(1 + 4 * count // len(images))])
    canvas = np.zeros((count, 56, 56), dtype=np.uint8)
    refs = []
    used = 0
    for i in range(count):
        cells = sorted(rng.choice(4, size=rng.integers(2, 5), replace=False).tolist())
        picks = order[used:used + len(cells)]
        used += len(cells)
        # Repeat a class now and then so that counts ("two bags") are common.
        if len(cells) > 2 and rng.random() < 0.3:
            same = labels[picks[0]]
            candidates = np.flatnonzero(labels == same)
            picks[1] = candidates[rng.integers(len(candidates))]
        items = {}
        for cell, pick in zip(cells, picks):
            r, c = CELLS[cell]
            canvas[i, 28 * r:28 * r + 28, 28 * c:28 * c + 28] = images[pick]
            items[cell] = int(labels[pick])
        refs.append(captions(items, rng))
    return canvas, refs


def write_captions(path, refs, start=0):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "caption"])
        for i, options in enumerate(refs):
            for caption in options:
                out.writerow([start + i, caption])


def main():
    rng = np.random.default_rng(SEED)
    train_x, train_y = read_idx("train-images-idx3-ubyte.gz"), read_idx("train-labels-idx1-ubyte.gz")
    test_x, test_y = read_idx("t10k-images-idx3-ubyte.gz"), read_idx("t10k-labels-idx1-ubyte.gz")
    train, train_refs = composites(train_x, train_y, TRAIN_IMAGES, rng)
    held, held_refs = composites(test_x, test_y, VALIDATION_IMAGES + TEST_IMAGES, rng)

    os.makedirs("out/public", exist_ok=True)
    np.save("out/public/train_images.npy", train)
    write_captions("out/public/train_captions.csv", train_refs)
    np.save("out/public/test_images.npy", held)
    with open("out/public/sample_submission.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "caption"])
        for i in range(len(held)):
            out.writerow([i, "a bag and a shirt"])
    # Rows of test_images.npy are shuffled, then the first VALIDATION_IMAGES are the validation split.
    order = rng.permutation(len(held))
    for split, rows in (("validation", order[:VALIDATION_IMAGES]), ("test", order[VALIDATION_IMAGES:])):
        os.makedirs("out/hidden/%s" % split, exist_ok=True)
        with open("out/hidden/%s/references.csv" % split, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["id", "caption"])
            for row in sorted(rows.tolist()):
                for caption in held_refs[row]:
                    out.writerow([row, caption])
    with open("out/splits.json", "w") as f:
        json.dump({"train": len(train), "validation": VALIDATION_IMAGES, "test": TEST_IMAGES}, f)
    print("train %d, held-out %d; e.g. %s" % (len(train), len(held), train_refs[0]))


if __name__ == "__main__":
    main()
