"""Score a language model: val_loss, the mean cross-entropy of held-out text in nats per token, computed here.

Tokens are the dataset's (data/meta.json): characters (97 symbols) in the public-domain stand-in, GPT-2 BPE
tokens (50257) in the FineWeb variant. The loss is per token of that tokenisation, so scores of the two
variants are not comparable with each other.

Protocol. The submission's model.py runs in its own process (lab.untrusted_module), as the agent user, and is
only ever shown tokens that come BEFORE the ones it is asked to predict:
1. WINDOWS windows of SEQ_LEN + 1 tokens are cut from the split's hidden tokens with a fixed seed. They do not
   overlap and lie at least SEQ_LEN tokens apart, so no window holds or borders the targets of another.
2. In round k = 1..SEQ_LEN the evaluator makes one call, `next_token_logprobs(contexts)`, where contexts holds the
   first k tokens of every window (lists of token ids). Token k of a window, the target of round k, is first
   shown to the model as the end of its context in round k + 1, after the round-k answer is in. The worker process
   lives through all rounds, so it may cache whatever it likes.
3. The reply must give, for every context, the natural-log probability of each of the vocab_size tokens being
   the next token: either a list of lists of floats, or {"dtype": "float16" | "float32", "shape": [n, vocab_size],
   "data": base64 of the little-endian row-major array} (the compact form; model.py shows it). This process
   checks the shape, that every value is finite and that the probabilities of each row sum to 1 within 1%
   (which catches logits or probabilities returned by mistake), renormalises each row exactly (so surplus
   probability mass gains nothing) and adds -log p(true next token).

val_loss is the mean over the WINDOWS * SEQ_LEN predicted tokens: the usual validation loss of a causal LM on
non-overlapping windows, each token predicted from the tokens before it in its window (at most SEQ_LEN).

Why full distributions: asking only for the probability of the true token would tell the model the answer, and a
top-k list with a floor would let a model hedge in ways that do not add up to a distribution. A full row is 97
numbers here and 50257 (about 100 kB as float16) for GPT-2 tokens, which the pipe carries in a few seconds.
"""

import base64
import json

import numpy as np

import labgym_eval as lab

SEQ_LEN = 128
WINDOWS = 32 if lab.reduced() else 128
WINDOW_SEED = 20240520
TOLERANCE = 0.01
CALL_TIMEOUT = 300  # seconds per next_token_logprobs call


def windows(tokens):
    """WINDOWS windows of SEQ_LEN + 1 tokens, one at a random place in each of WINDOWS equal strata of the split."""
    stratum = len(tokens) // WINDOWS
    room = stratum - 2 * (SEQ_LEN + 1)  # keeps a gap of at least SEQ_LEN tokens to the next stratum's window
    if room < 1:
        lab.fail("the split has too few tokens (%d) for %d windows" % (len(tokens), WINDOWS))
    rng = np.random.default_rng(WINDOW_SEED)
    starts = [i * stratum + int(rng.integers(0, room)) for i in range(WINDOWS)]
    return np.stack([tokens[start:start + SEQ_LEN + 1] for start in starts]).astype(np.int64)


def as_logprobs(reply, rows, vocab_size):
    """The reply as a float64 array (rows, vocab_size) of log-probabilities, or a clear failure."""
    if isinstance(reply, dict):
        dtype = {"float16": "<f2", "float32": "<f4"}.get(reply.get("dtype"))
        if dtype is None:
            lab.fail('next_token_logprobs returned a dict whose "dtype" is %r, not "float16" or "float32"' % (reply.get("dtype"),))
        try:
            data = base64.b64decode(reply.get("data", ""), validate=True)
        except (TypeError, ValueError) as error:
            lab.fail('next_token_logprobs returned a dict whose "data" is not base64: %s' % error)
        if reply.get("shape") != [rows, vocab_size] or len(data) != rows * vocab_size * np.dtype(dtype).itemsize:
            lab.fail("next_token_logprobs must return shape [%d, %d] (one row of vocab_size log-probabilities per context); "
                     "got shape %s with %d bytes of %s" % (rows, vocab_size, reply.get("shape"), len(data), reply.get("dtype")))
        values = np.frombuffer(data, dtype=dtype).reshape(rows, vocab_size).astype(np.float64)
    else:
        try:
            values = np.asarray(reply, dtype=np.float64)
        except (TypeError, ValueError):
            lab.fail("next_token_logprobs must return a list of %d lists of %d floats (or the base64 dict form)" % (rows, vocab_size))
        if values.shape != (rows, vocab_size):
            lab.fail("next_token_logprobs must return shape (%d, %d) (one row of vocab_size log-probabilities per context); got %s"
                     % (rows, vocab_size, values.shape))
    if not np.isfinite(values).all():
        lab.fail("next_token_logprobs returned NaN or infinite log-probabilities")
    top = values.max(axis=1, keepdims=True)
    log_total = (top + np.log(np.exp(values - top).sum(axis=1, keepdims=True)))[:, 0]
    worst = int(np.argmax(np.abs(log_total)))
    if abs(log_total[worst]) > TOLERANCE:
        lab.fail("the probabilities of a next-token distribution must sum to 1 (return log-probabilities, e.g. log_softmax); "
                 "row %d sums to %.6g" % (worst, np.exp(log_total[worst])))
    return values - log_total[:, None]


def main():
    meta = lab.hidden_json("meta.json")
    if meta is None:
        lab.fail("no hidden tokens for split %s (the evaluator runs only inside labgym)" % lab.SPLIT)
    vocab_size = int(meta["vocab_size"])
    tokens = np.fromfile(lab.hidden_path("tokens.bin"), dtype=meta["dtype"])
    batch = windows(tokens)
    total = 0.0
    try:
        # The first call loads the model; a CPU forward pass over every window takes seconds, not the default 10.
        with lab.untrusted_module("model.py", timeout=CALL_TIMEOUT) as model:
            for k in range(1, SEQ_LEN + 1):
                contexts = batch[:, :k].tolist()
                logprobs = as_logprobs(model.call("next_token_logprobs", contexts), len(contexts), vocab_size)
                total -= logprobs[np.arange(len(contexts)), batch[:, k]].sum()
    except lab.SubmissionError as error:
        lab.fail(str(error))
    lab.write_metrics({"val_loss": total / (WINDOWS * SEQ_LEN)})


if __name__ == "__main__":
    main()
