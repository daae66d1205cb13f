"""One mutating call at a time, and ids that are integers (hardening issue 7, 8)."""

import threading

import numpy as np
import pytest

import mtrec


@pytest.fixture()
def small():
    rng = np.random.default_rng(3)
    users = rng.integers(0, 60, 3000)
    items = rng.integers(0, 80, 3000)
    ratings = rng.integers(1, 6, 3000).astype(np.float32)
    return mtrec.Interactions(users, items, ratings)


def test_a_second_fit_while_one_runs_is_refused_not_interleaved(small):
    model = mtrec.MultitaskModel(threads=1, seed=2)
    model.fit(small, epochs=1)
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def callback(epoch):
        # A read from the fitting thread itself goes ahead.
        seen.setdefault("history", len(model.history))
        inside.set()
        release.wait(30)

    worker = threading.Thread(target=lambda: model.fit(small, epochs=2, callback=callback))
    worker.start()
    assert inside.wait(30)
    try:
        with pytest.raises(RuntimeError, match="model is busy"):
            model.fit(small, epochs=1)
        with pytest.raises(RuntimeError, match="model is busy"):
            model.recommend(int(small.users[0]))
        with pytest.raises(RuntimeError, match="model is busy"):
            model.set_known_interactions(small)
    finally:
        release.set()
        worker.join(60)
    assert seen["history"] == 2
    # The refused calls changed nothing: the epochs are those of the two fits.
    assert [h["epoch"] for h in model.history] == [1, 2, 3]
    model.recommend(int(small.users[0]))  # free again


def test_reads_run_together(small):
    model = mtrec.MultitaskModel(threads=1, seed=2)
    model.fit(small, epochs=1)
    errors = []

    def read():
        try:
            for _ in range(20):
                model.recommend(small.users[:5], k=3)
                model.predict(small.users[:5], small.items[:5])
        except Exception as e:  # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


@pytest.mark.parametrize("bad", [[1.5, 1.2, 2.7], [1, 2, 3.0], [True, 2, 3], (1, 2.5, 3)])
def test_non_integral_ids_are_a_type_error(bad):
    with pytest.raises(TypeError, match="^users: expected integer ids"):
        mtrec.Interactions(bad, [1, 2, 3], [3, 4, 5])
    with pytest.raises(TypeError, match="^items: expected integer ids"):
        mtrec.Interactions([1, 2, 3], bad, [3, 4, 5])
    with pytest.raises(TypeError, match="expected integer ids"):
        mtrec.Interactions(np.asarray(bad, dtype=np.float64), [1, 2, 3], [3, 4, 5])


def test_integer_lists_and_numpy_integers_are_ids():
    x = mtrec.Interactions([1, np.int64(2), 3], (4, 5, np.int32(6)), [3.0, 4.0, 5.0])
    assert len(x) == 3


def test_ids_and_ratings_are_checked_as_the_cli_checks_them(tmp_path):
    # Raw ids (a MovieLens-style u.data): row 0 exists, but no rating has it.
    lines = [f"{u}\t{i}\t{1 + (u * i) % 5}\t{880000000 + u}"
             for u in range(1, 31) for i in range(1, 21) if (u + i) % 3]
    (tmp_path / "u.data").write_text("\n".join(lines) + "\n")
    data = mtrec.load_dataset(str(tmp_path / "u.data"))
    model = mtrec.MultitaskModel(threads=1, seed=1)
    model.fit(data, epochs=1)
    model.save(str(tmp_path / "m.mtrec"))
    loaded = mtrec.load(str(tmp_path / "m.mtrec"))
    for m in (model, loaded):
        with pytest.raises(KeyError, match="is not in the model's data"):
            m.predict(0, 1)
        with pytest.raises(KeyError, match="is not in the model's data"):
            m.recommend(0)
        with pytest.raises(ValueError, match="outside the data set's ratings"):
            m.recommend_for_ratings({2: 100})
    assert len(loaded.recommend(1, k=3)[0]) == 3


def test_concurrent_first_fits_make_one_model(small):
    model = mtrec.MultitaskModel(threads=1, seed=2)
    outcomes = []

    def fit():
        try:
            model.fit(small, epochs=2)
            outcomes.append("fitted")
        except RuntimeError as e:
            assert "model is busy" in str(e)
            outcomes.append("busy")

    threads = [threading.Thread(target=fit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    # One engine: every fit that ran added its epochs to it; none was lost.
    assert len(model.history) == 2 * outcomes.count("fitted")
    assert outcomes.count("fitted") >= 1


def test_known_interactions_do_not_change_what_evaluate_ranks_last(small):
    train, test = mtrec.random_train_test_split(small, test_fraction=0.2, seed=1)
    model = mtrec.MultitaskModel(threads=1, seed=2)
    model.fit(train, epochs=1)
    before = model.evaluate(test)
    model.set_known_interactions(small)  # the test rows included
    assert model.evaluate(test) == before
    assert before["precision"] > 0
