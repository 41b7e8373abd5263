"""Prepare MS-COCO 2017 captions in the layout of the captioning task (user-supplied data).

Reads the three official archives, unchanged: annotations_trainval2017.zip (captions_train2017.json and
captions_val2017.json), train2017.zip and val2017.zip. Sized for CPU: a seeded sample of 20000 train2017 images
is the training set, and a seeded sample of 2000 val2017 images is split into validation and test (1000 each).
Images are squashed (not cropped) to 64x64 RGB. Every caption of an image (COCO has five to seven) is kept, as
given; test_images.npy mixes the validation and the test images and their captions go to the hidden files.
"""

import csv
import glob
import io
import json
import os
import zipfile
from collections import defaultdict

import numpy as np
from PIL import Image

SEED = int(os.environ.get("LABGYM_SEED", "0"))
TRAIN_IMAGES, VALIDATION_IMAGES, TEST_IMAGES = 20000, 1000, 1000
SIZE = 64


def archive(source):
    found = glob.glob("sources/%s/*.zip" % source) + glob.glob("sources/%s.zip" % source)
    if not found:
        raise SystemExit("no .zip found for source %s" % source)
    return zipfile.ZipFile(found[0])


def captions(annotations, part):
    """{image id: [captions]} and {image id: file name} of captions_<part>2017.json."""
    name = next((n for n in annotations.namelist() if n.endswith("captions_%s2017.json" % part)), None)
    if name is None:
        raise SystemExit("annotations_trainval2017.zip has no captions_%s2017.json" % part)
    data = json.loads(annotations.read(name))
    texts = defaultdict(list)
    for note in data["annotations"]:
        texts[note["image_id"]].append(" ".join(note["caption"].split()))
    files = {image["id"]: image["file_name"] for image in data["images"]}
    return texts, files


def sample(images_zip, texts, files, count, rng, part):
    members = {os.path.basename(name): name for name in images_zip.namelist() if name.lower().endswith(".jpg")}
    usable = sorted(key for key in texts if files.get(key) in members)
    if len(usable) < count:
        raise SystemExit("%s2017.zip holds %d captioned images; this dataset needs %d" % (part, len(usable), count))
    chosen = [usable[i] for i in sorted(rng.choice(len(usable), size=count, replace=False))]
    array = np.zeros((count, SIZE, SIZE, 3), dtype=np.uint8)
    for row, key in enumerate(chosen):
        with Image.open(io.BytesIO(images_zip.read(members[files[key]]))) as image:
            image.draft("RGB", (2 * SIZE, 2 * SIZE))  # JPEG decodes at a reduced scale: much faster
            array[row] = np.asarray(image.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR))
    return array, [texts[key] for key in chosen]


def write_captions(path, refs, rows=None):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "caption"])
        for row in range(len(refs)) if rows is None else rows:
            for caption in refs[row]:
                out.writerow([row, caption])


def main():
    rng = np.random.default_rng(SEED)
    annotations = archive("annotations")
    train_texts, train_files = captions(annotations, "train")
    val_texts, val_files = captions(annotations, "val")
    train, train_refs = sample(archive("train2017"), train_texts, train_files, TRAIN_IMAGES, rng, "train")
    held, held_refs = sample(archive("val2017"), val_texts, val_files, VALIDATION_IMAGES + TEST_IMAGES, rng, "val")

    os.makedirs("out/public", exist_ok=True)
    np.save("out/public/train_images.npy", train)
    write_captions("out/public/train_captions.csv", train_refs)
    np.save("out/public/test_images.npy", held)
    write_captions("out/public/sample_submission.csv", [["a man standing next to a table"]] * len(held))
    order = rng.permutation(len(held))
    for split, rows in (("validation", order[:VALIDATION_IMAGES]), ("test", order[VALIDATION_IMAGES:])):
        os.makedirs("out/hidden/%s" % split, exist_ok=True)
        write_captions("out/hidden/%s/references.csv" % split, held_refs, sorted(rows.tolist()))
    with open("out/splits.json", "w") as f:
        json.dump({"train": len(train), "validation": VALIDATION_IMAGES, "test": TEST_IMAGES}, f)
    print("train %d, held-out %d images of %dx%d; e.g. %s" % (len(train), len(held), SIZE, SIZE, train_refs[0][0]))


if __name__ == "__main__":
    main()
