"""Writes a ratings file (user item rating timestamp, TAB) with ML-25M's
catalogue: 59,047 items, each rated at least once, popularity and user
activity Zipf-like; RATINGS ratings of USERS users (defaults: 2,000,000 of
162,541, so every ML-25M user id exists; the model's tables have ML-25M's
sizes, which is what a top-k's cost depends on).
usage: make_catalog.py OUT [RATINGS] [USERS] [ITEMS]"""

import random
import sys

out = sys.argv[1]
ratings = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
users = int(sys.argv[3]) if len(sys.argv) > 3 else 162_541
items = int(sys.argv[4]) if len(sys.argv) > 4 else 59_047
rng = random.Random(25)
item_w = [1.0 / (k + 1) for k in range(items)]
user_w = [1.0 / (k + 1) ** 0.9 for k in range(users)]
rng.shuffle(item_w)
rng.shuffle(user_w)
stars = [0.5 * s for s in range(1, 11)]
star_w = [1.6, 3.1, 1.6, 6.6, 5.0, 19.6, 12.6, 26.6, 8.5, 14.5]  # ML-25M's histogram
# Every user and every item once, then the rest by popularity.
rows = [(u + 1, rng.randrange(items) + 1) for u in range(users)]
rows += [(rng.randrange(users) + 1, i + 1) for i in range(items)]
rest = ratings - len(rows)
rows += zip(rng.choices(range(1, users + 1), user_w, k=rest),
            rng.choices(range(1, items + 1), item_w, k=rest))
with open(out, "w") as f:
    for t, (u, i) in enumerate(rows):
        f.write(f"{u}\t{i}\t{rng.choices(stars, star_w)[0]}\t{1_000_000_000 + t}\n")
