"""Baseline for the captioning task: a small CNN encoder and a GRU decoder trained from scratch, greedy decoding.

Reads data/train_images.npy and data/train_captions.csv, writes submission.csv (id, caption) for every image of
data/test_images.npy. Images may be grayscale (N, H, W) or RGB (N, H, W, 3). With LABGYM_SCALE=reduced it
trains on a subset for fewer epochs (a quick check); the code path is the same.

For scale: captioning every image with the most common training caption scores a BLEU of about 0.11 on the
stand-in; this baseline scores about 0.74 at full scale (0.38 reduced).
"""

import csv
import os
import random
import re
import time
from collections import Counter, defaultdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REDUCED = os.environ.get("LABGYM_SCALE") == "reduced"
EPOCHS = 3 if REDUCED else 6
TRAIN_LIMIT = 3000 if REDUCED else None  # images used for training
BATCH = 64
MAX_WORDS = 40
SEED = 0

random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))

WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
PAD, BOS, EOS, UNK = 0, 1, 2, 3


def tokens(text):
    return WORD.findall(text.lower())[:MAX_WORDS]


def as_tensor(images):
    x = torch.from_numpy(images).float().div_(255.0)
    return x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2)


class Captioner(nn.Module):
    def __init__(self, channels, vocab_size, embed=128, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(7),
            nn.Flatten(), nn.Linear(64 * 7 * 7, hidden), nn.ReLU(),
        )
        self.init_state = nn.Linear(hidden, hidden)
        self.image_input = nn.Linear(hidden, embed)
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=PAD)
        self.gru = nn.GRU(2 * embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)

    def start(self, images):
        features = self.encoder(images)
        return torch.tanh(self.init_state(features)).unsqueeze(0), self.image_input(features)

    def step(self, words, state, image):
        # The image features go in at every step, beside the previous words.
        inputs = torch.cat([self.embed(words), image.unsqueeze(1).expand(-1, words.shape[1], -1)], dim=2)
        output, state = self.gru(inputs, state)
        return self.out(output), state

    def forward(self, images, words):
        state, image = self.start(images)
        return self.step(words, state, image)[0]


def main():
    started = time.time()
    train_images = np.load("data/train_images.npy")
    test_images = np.load("data/test_images.npy")
    captions = defaultdict(list)
    with open("data/train_captions.csv", newline="") as f:
        for row in csv.DictReader(f):
            captions[int(row["id"])].append(tokens(row["caption"]))
    ids = sorted(captions)
    if TRAIN_LIMIT:
        ids = ids[:TRAIN_LIMIT]
    counts = Counter(word for key in ids for caption in captions[key] for word in caption)
    vocab = ["<pad>", "<bos>", "<eos>", "<unk>"] + sorted(word for word, count in counts.items() if count >= 3)
    index = {word: i for i, word in enumerate(vocab)}

    model = Captioner(1 if train_images.ndim == 3 else 3, len(vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    print("vocabulary %d words, %d training images, %d epochs" % (len(vocab), len(ids), EPOCHS), flush=True)
    for epoch in range(EPOCHS):
        model.train()
        order = np.random.permutation(len(ids))
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = [ids[i] for i in order[start:start + BATCH]]
            # One of the image's reference captions, drawn afresh each epoch.
            chosen = [random.choice(captions[key]) for key in batch]
            encoded = [[BOS] + [index.get(word, UNK) for word in caption] + [EOS] for caption in chosen]
            width = max(len(sequence) for sequence in encoded)
            words = torch.tensor([sequence + [PAD] * (width - len(sequence)) for sequence in encoded])
            logits = model(as_tensor(train_images[batch]), words[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), words[:, 1:].reshape(-1), ignore_index=PAD)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print("epoch %d: loss %.3f (%.0fs)" % (epoch + 1, total / len(order), time.time() - started), flush=True)

    model.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(test_images), 256):
            state, image = model.start(as_tensor(test_images[start:start + 256]))
            words = torch.full((image.shape[0], 1), BOS, dtype=torch.long)
            sentences = [[] for _ in range(image.shape[0])]
            done = torch.zeros(image.shape[0], dtype=torch.bool)
            for _ in range(MAX_WORDS + 1):
                logits, state = model.step(words, state, image)
                words = logits[:, -1].argmax(dim=1, keepdim=True)
                for row, word in enumerate(words[:, 0].tolist()):
                    if not done[row] and word != EOS:
                        sentences[row].append(vocab[word])
                done |= words[:, 0] == EOS
                if done.all():
                    break
            predictions.extend(" ".join(sentence) for sentence in sentences)
    with open("submission.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "caption"])
        for i, caption in enumerate(predictions):
            out.writerow([i, caption])
    print("wrote submission.csv (%d captions, e.g. %r) in %.0fs" % (len(predictions), predictions[0], time.time() - started))


if __name__ == "__main__":
    main()
