# The agent's copy, for reading only: the real evaluator runs elsewhere with the hidden target.
import json
print(json.dumps({"score": 0}))
