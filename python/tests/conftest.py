"""Shared fixtures: small generated rating data (no network, no MovieLens files)."""

import os
import shutil

import numpy as np
import pytest

import mtrec


def generate_ratings(num_users=300, num_items=400, per_user=40, seed=0):
    """Ratings with structure a model can learn: users and items have latent
    tastes, each user rates the items that suit them best, ratings 1..5."""
    rng = np.random.default_rng(seed)
    u_f = rng.normal(size=(num_users, 4))
    i_f = rng.normal(size=(num_items, 4))
    users, items, ratings = [], [], []
    for u in range(num_users):
        affinity = i_f @ u_f[u] + rng.normal(scale=1.0, size=num_items)
        chosen = np.argsort(-affinity)[:per_user]
        for i in chosen:
            users.append(u + 1)
            items.append(i + 1)
            ratings.append(float(np.clip(np.round(3 + affinity[i] / 2), 1, 5)))
    order = rng.permutation(len(users))
    return (np.asarray(users, np.int64)[order], np.asarray(items, np.int64)[order],
            np.asarray(ratings, np.float32)[order])


@pytest.fixture(scope="session")
def arrays():
    return generate_ratings()


@pytest.fixture(scope="session")
def ratings_file(tmp_path_factory, arrays):
    """The generated ratings as a TAB-separated user/item/rating/timestamp file."""
    users, items, ratings = arrays
    path = tmp_path_factory.mktemp("data") / "ratings.tsv"
    with open(path, "w") as f:
        for k, (u, i, r) in enumerate(zip(users, items, ratings)):
            f.write(f"{u}\t{i}\t{int(r)}\t{1000000 + k}\n")
    return str(path)


@pytest.fixture(scope="session")
def data(ratings_file):
    return mtrec.load_dataset(ratings_file)


@pytest.fixture(scope="session")
def split(data):
    return mtrec.random_train_test_split(data)


@pytest.fixture(scope="session")
def fitted(split):
    """A model fitted for 3 epochs on the split's training part."""
    train, test = split
    model = mtrec.MultitaskModel(threads=2, seed=5)
    model.fit(train, epochs=3, test=test)
    return model


@pytest.fixture(scope="session")
def cli():
    """The mtrec CLI built beside the package (ctest sets MTREC_CLI)."""
    path = os.environ.get("MTREC_CLI") or shutil.which("mtrec")
    if not path:
        pytest.skip("MTREC_CLI is not set (run through ctest)")
    return path
