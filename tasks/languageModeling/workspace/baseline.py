"""Baseline: train the small GPT of model.py on data/train.bin and save it to model.pt.

The budget is counted in optimizer steps (not seconds), so a run gives the same model on any machine. Set
LABGYM_SCALE=reduced for the quick CI scale (fewer steps, same code). Prints the loss on data/val.bin (nats per
token, teacher-forced on random windows, which is close to but not the evaluator's protocol).
"""

import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from model import GPT

REDUCED = os.environ.get("LABGYM_SCALE") == "reduced"
with open("data/meta.json") as f:
    meta = json.load(f)
# With GPT-2 tokens (FineWeb variant, vocab 50257) the output layer dominates the cost of a step on CPU.
LARGE_VOCAB = meta["vocab_size"] > 1000
STEPS = (30 if REDUCED else 300) if LARGE_VOCAB else (80 if REDUCED else 1500)
BATCH = 16 if LARGE_VOCAB else 32
BLOCK = 128
LR = 3e-3
WARMUP = max(10, STEPS // 20)
EVAL_EVERY = max(STEPS // 4, 10)
SEED = 0

torch.set_num_threads(2)
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

train = np.memmap("data/train.bin", dtype=meta["dtype"], mode="r")
val = np.memmap("data/val.bin", dtype=meta["dtype"], mode="r")
config = {"vocab_size": meta["vocab_size"], "block_size": BLOCK, "n_layer": 4, "n_head": 4, "n_embd": 128, "dropout": 0.0}
model = GPT(**config)
print("tokenizer %s, vocab %d, %d train tokens, %.2fM parameters" % (
    meta["tokenizer"], meta["vocab_size"], len(train), sum(p.numel() for p in model.parameters()) / 1e6))


def batch(tokens, generator):
    starts = generator.integers(0, len(tokens) - BLOCK - 1, BATCH)
    chunk = np.stack([tokens[s:s + BLOCK + 1] for s in starts]).astype(np.int64)
    return torch.from_numpy(chunk[:, :-1]), torch.from_numpy(chunk[:, 1:])


@torch.no_grad()
def val_loss(batches=10):
    model.eval()
    generator = np.random.default_rng(1)  # the same windows every time
    losses = []
    for _ in range(batches):
        x, y = batch(val, generator)
        losses.append(F.cross_entropy(model(x)[0].flatten(0, 1), y.flatten()).item())
    model.train()
    return float(np.mean(losses))


decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=LR, betas=(0.9, 0.95))
started = time.time()
for step in range(1, STEPS + 1):
    lr = LR * min(1.0, step / WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
    for group in optimizer.param_groups:
        group["lr"] = lr
    x, y = batch(train, rng)
    loss = F.cross_entropy(model(x)[0].flatten(0, 1), y.flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % EVAL_EVERY == 0 or step == STEPS:
        print("step %d/%d  train loss %.4f  val loss %.4f  lr %.2e  %.0fs" % (step, STEPS, loss.item(), val_loss(), lr, time.time() - started), flush=True)

torch.save({"config": config, "state_dict": model.state_dict()}, "model.pt")
print("saved model.pt")
