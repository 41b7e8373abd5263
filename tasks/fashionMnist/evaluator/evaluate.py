"""Score an image-classification submission: accuracy of `label` on the rows of the split being scored.

submission.csv must have the columns id and label, one row per image of data/test_images.npy (id = row, label =
the predicted class 0-9). Rows of the other split are not scored, but every id must be there. The scoring is the
shared classification evaluator (labgym_eval.score_classification); the labels are the split's hidden
answers.csv.
"""

import labgym_eval as lab

if __name__ == "__main__":
    lab.score_classification(inputs="test_images.npy")
