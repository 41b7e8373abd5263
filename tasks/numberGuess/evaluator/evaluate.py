import json
import os

with open("submission.txt") as f:
    guess = float(f.read().strip())
with open(os.path.join("hidden", "target.txt")) as f:
    target = float(f.read().strip())
print(json.dumps({"score": -abs(guess - target), "split_seen": 1 if os.environ.get("LABGYM_SPLIT") else 0}))
