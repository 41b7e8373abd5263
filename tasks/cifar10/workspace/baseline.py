"""Baseline for CIFAR-10: a small CNN (two conv layers, 32 and 64 channels, and a linear classifier) trained
with Adam. Writes submission.csv (id, label) for every image of data/test_images.npy.

LABGYM_SCALE=reduced (the CI scale) trains 1 epoch on at most 10000 images instead of 5 epochs on all
of them.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # torch's own threads do the work; two pools oversubscribe 2 cores

import time

import numpy as np
import pandas as pd
import torch
from torch import nn

REDUCED = os.environ.get("LABGYM_SCALE") == "reduced"
EPOCHS = 1 if REDUCED else 5
TRAIN_SUBSET = 10000 if REDUCED else None
BATCH_SIZE = 64

torch.manual_seed(0)
torch.set_num_threads(min(2, os.cpu_count() or 1))


def to_tensor(images):
    return torch.from_numpy(images.astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()  # (N, 3, 32, 32)


train_images = np.load("data/train_images.npy")
train_labels = np.load("data/train_labels.npy")
if TRAIN_SUBSET and len(train_images) > TRAIN_SUBSET:
    keep = np.random.default_rng(0).permutation(len(train_images))[:TRAIN_SUBSET]
    train_images, train_labels = train_images[keep], train_labels[keep]
x_train, y_train = to_tensor(train_images), torch.from_numpy(train_labels).long()
x_test = to_tensor(np.load("data/test_images.npy"))

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 8 * 8, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    start, total = time.time(), 0.0
    model.train()
    order = torch.randperm(len(x_train))
    for i in range(0, len(order), BATCH_SIZE):
        batch = order[i:i + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    print("epoch %d: train loss %.4f (%.0f s)" % (epoch + 1, total / len(order), time.time() - start), flush=True)

model.eval()
with torch.no_grad():
    predictions = torch.cat([model(x_test[i:i + 1000]).argmax(1) for i in range(0, len(x_test), 1000)]).numpy()
pd.DataFrame({"id": np.arange(len(x_test)), "label": predictions}).to_csv("submission.csv", index=False)
print("wrote submission.csv")
