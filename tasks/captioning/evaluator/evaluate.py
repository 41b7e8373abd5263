"""Score a captioning submission: mean sentence BLEU-4 of each caption against the split's reference captions.

submission.csv must have the columns id and caption, one row per image of data/test_images.npy (id = row).
Only the `caption` column is read: any other column (a self-reported bleu_score, say)
is ignored, and BLEU is computed here from the hidden references.

BLEU: captions are lowercased and split into words (punctuation dropped). For each image, n-gram precisions for
n = 1..4 are clipped by the most times each n-gram appears in any one reference; a precision with no match is
smoothed to 0.1 / (number of n-grams) (Chen & Cherry's method 1); the geometric mean is multiplied by the
brevity penalty against the reference length closest to the caption's. A caption with no word in common
with the references (or an empty one) scores 0.
"""

import argparse
import csv
import math
import re
import sys
from collections import Counter, defaultdict

import labgym_eval as lab

WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def tokens(text):
    return WORD.findall(str(text).lower())


def ngrams(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def sentence_bleu(references, hypothesis, max_n=4, epsilon=0.1):
    """BLEU-4 of one tokenized hypothesis against a list of tokenized references, smoothed."""
    if not hypothesis:
        return 0.0
    log_precision = 0.0
    for n in range(1, max_n + 1):
        counts = ngrams(hypothesis, n)
        best = Counter()
        for reference in references:
            best |= ngrams(reference, n)
        matches = sum(min(count, best[gram]) for gram, count in counts.items())
        if n == 1 and matches == 0:
            return 0.0
        total = max(1, sum(counts.values()))
        log_precision += math.log(matches / total if matches else epsilon / total) / max_n
    length = len(hypothesis)
    closest = min((len(reference) for reference in references), key=lambda size: (abs(size - length), size))
    brevity = 1.0 if length > closest else math.exp(1 - closest / length)
    return brevity * math.exp(log_precision)


def read_submission(path):
    csv.field_size_limit(1 << 20)
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        lab.fail("cannot read %s as CSV: %s" % (path, error))
    if not rows or not {"id", "caption"} <= set(rows[0]):
        lab.fail("%s must have the columns id and caption (and one row per image of test_images.npy)" % path)
    captions = {}
    for row in rows:
        try:
            key = int(float(row["id"]))
        except (TypeError, ValueError):
            lab.fail("%s has a row whose id is not a number: %r" % (path, row["id"]))
        captions.setdefault(key, row["caption"] or "")
    return captions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    captions = read_submission(args.submission_file)
    references = defaultdict(list)
    with open(lab.hidden_path("references.csv"), newline="") as f:
        for row in csv.DictReader(f):
            references[int(row["id"])].append(tokens(row["caption"]))
    missing = [key for key in references if key not in captions]
    if missing:
        lab.fail("submission.csv has no caption for %d images of test_images.npy (e.g. id %d)" % (len(missing), missing[0]))
    scores = [sentence_bleu(refs, tokens(captions[key])) for key, refs in sorted(references.items())]
    lab.write_metrics({"BLEU Score": sum(scores) / len(scores)})


if __name__ == "__main__":
    sys.exit(main())
