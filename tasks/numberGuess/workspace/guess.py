GUESS = 5
with open("submission.txt", "w") as f:
    f.write(f"{GUESS}\n")
