"""The submitted language model: a small GPT, and the function the evaluator calls.

The evaluator loads this file in its own process and calls `next_token_logprobs(contexts)` with a batch of
token-id lists; it must return, for each context, the natural-log probabilities of every vocabulary token being
the next one (see evaluate.py for the accepted formats). The weights are read from model.pt beside this file
(written by baseline.py). You may change anything here, as long as that function keeps its name and contract.
"""

import base64
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.n_head = n_head
        self.ln1 = nn.LayerNorm(n_embd)
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size, dtype=torch.bool)), persistent=False)

    def forward(self, x, past=None):
        """x: (batch, new positions, width); past: the keys and values of earlier positions, or None."""
        batch, length, width = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(batch, length, 3, self.n_head, width // self.n_head).permute(2, 0, 3, 1, 4)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        total = k.shape[2]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
        scores = scores.masked_fill(~self.mask[total - length:total, :total], float("-inf"))
        attended = (self.dropout(F.softmax(scores, dim=-1)) @ v).transpose(1, 2).reshape(batch, length, width)
        x = x + self.dropout(self.proj(attended))
        return x + self.dropout(self.mlp(self.ln2(x))), (k, v)


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size=128, n_layer=4, n_head=4, n_embd=128, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, n_embd)
        self.position_embedding = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight  # tied input and output embeddings
        self.apply(self._init)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, past=None, last_only=False):
        """Logits for the positions of idx (batch, length), or only the last one, and the keys and values of all
        positions so far. past: what an earlier call returned, when idx continues those sequences."""
        start = 0 if past is None else past[0][0].shape[2]
        positions = torch.arange(start, start + idx.shape[1], device=idx.device)
        x = self.token_embedding(idx) + self.position_embedding(positions)
        present = []
        for i, block in enumerate(self.blocks):
            x, keys_values = block(x, None if past is None else past[i])
            present.append(keys_values)
        if last_only:
            x = x[:, -1:]
        return self.head(self.ln_f(x)), present


_model = None
_cache = {"contexts": None, "past": None}


def load(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.pt")):
    checkpoint = torch.load(path, map_location="cpu")
    model = GPT(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def _logits(contexts):
    """Last-position logits for a batch of equal-length contexts, reusing the keys and values of the previous
    batch when every context extends its previous one by one token (as in the evaluator's rounds)."""
    idx = torch.tensor(contexts, dtype=torch.long)
    previous = _cache["contexts"]
    if previous is not None and previous.shape[0] == idx.shape[0] and previous.shape[1] + 1 == idx.shape[1] \
            and idx.shape[1] <= _model.block_size and torch.equal(previous, idx[:, :-1]):
        logits, past = _model(idx[:, -1:], past=_cache["past"])
    else:
        logits, past = _model(idx[:, -_model.block_size:], last_only=True)
    _cache.update(contexts=idx, past=past)
    return logits[:, -1].float()


@torch.no_grad()
def next_token_logprobs(contexts):
    """contexts: list of token-id lists (each non-empty). Returns a float16 array (len(contexts), vocab) of
    natural-log next-token probabilities, base64-encoded as evaluate.py describes."""
    global _model
    if _model is None:
        torch.set_num_threads(2)
        _model = load()
    if len(set(map(len, contexts))) == 1:
        logits = _logits(contexts)
    else:  # contexts of different lengths, one at a time
        logits = torch.cat([_model(torch.tensor([c[-_model.block_size:]]), last_only=True)[0][:, -1] for c in contexts])
    logprobs = F.log_softmax(logits, dim=-1).numpy().astype(np.float16)
    return {"dtype": "float16", "shape": list(logprobs.shape), "data": base64.b64encode(logprobs.tobytes()).decode("ascii")}
