"""Interactions, load_dataset and random_train_test_split."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import mtrec


def test_from_numpy_int_ids_keeps_ids(arrays):
    users, items, ratings = arrays
    for dtype in (np.int32, np.int64):
        d = mtrec.Interactions(users.astype(dtype), items.astype(dtype), ratings)
        assert len(d) == len(users)
        np.testing.assert_array_equal(d.users, users)
        np.testing.assert_array_equal(d.items, items)
        np.testing.assert_array_equal(d.ratings, ratings)
        # Dense numbering: as many rows as distinct ids.
        assert d.num_users == len(np.unique(users))
        assert d.num_items == len(np.unique(items))


def test_raw_ids_are_table_rows(arrays):
    users, items, ratings = arrays
    d = mtrec.Interactions(users, items, ratings, raw_ids=True)
    assert d.num_users == users.max() + 1
    np.testing.assert_array_equal(d.user_rows, users)


def test_lists_str_ids_and_implicit_feedback():
    d = mtrec.Interactions(["a", "b", "a"], ["x", "y", "y"])
    assert list(d.users) == ["a", "b", "a"]
    assert list(d.items) == ["x", "y", "y"]
    np.testing.assert_array_equal(d.ratings, [1, 1, 1])
    assert (d.num_users, d.num_items) == (2, 2)


def test_from_pandas_and_back():
    df = pd.DataFrame({"userId": [10, 20, 10], "movieId": [7, 7, 9], "rating": [4.0, 3.5, 5.0],
                       "timestamp": [1, 2, 3]})
    d = mtrec.Interactions.from_pandas(df, timestamp_col="timestamp")
    back = d.to_pandas()
    np.testing.assert_array_equal(back["user"], df["userId"])
    np.testing.assert_array_equal(back["item"], df["movieId"])
    np.testing.assert_allclose(back["rating"], df["rating"])
    np.testing.assert_array_equal(back["timestamp"], df["timestamp"])
    with pytest.raises(KeyError, match="user_col"):
        mtrec.Interactions.from_pandas(df, user_col="user")


def test_bad_columns_are_refused_naming_them(arrays):
    users, items, ratings = arrays
    with pytest.raises(ValueError, match=r"^items: expected 12000 entries"):
        mtrec.Interactions(users, items[:-1], ratings)
    with pytest.raises(ValueError, match=r"^ratings: expected 12000 entries"):
        mtrec.Interactions(users, items, ratings[:5])
    with pytest.raises(ValueError, match=r"^users: expected a 1-D array, got shape \(2, 6000\)"):
        mtrec.Interactions(users.reshape(2, -1), items, ratings)
    with pytest.raises(TypeError, match="^users: expected integer ids"):
        mtrec.Interactions(users.astype(np.float64), items, ratings)
    with pytest.raises(ValueError, match=r"^ratings\[3\]: expected a finite number"):
        bad = ratings.copy()
        bad[3] = np.nan
        mtrec.Interactions(users, items, bad)
    with pytest.raises(ValueError, match="^users: no interactions"):
        mtrec.Interactions(np.zeros(0, np.int64), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match=r"^users\[0\]: raw ids are table rows"):
        mtrec.Interactions(np.array([-1, 2]), np.array([1, 2]), raw_ids=True)


def test_contiguous_columns_are_not_copied():
    n = 2_000_000
    users = np.arange(n, dtype=np.int32) % 1000
    items = np.arange(n, dtype=np.int32) % 777
    ratings = np.ones(n, dtype=np.float32)
    tracemalloc.start()
    try:
        mtrec.Interactions(users, items, ratings)  # read in place: no numpy copy
        _, peak_in_place = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        mtrec.Interactions(users, items, ratings.astype(np.float64))  # converted once
        _, peak_converted = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_in_place < n  # far below the 8 MB a copy of one column would take
    assert peak_converted >= 4 * n  # the float32 copy of the float64 ratings


def test_load_dataset_reads_a_file(ratings_file, arrays):
    users, items, ratings = arrays
    d = mtrec.load_dataset(ratings_file)
    assert len(d) == len(users)
    np.testing.assert_array_equal(d.users, users)
    np.testing.assert_array_equal(d.ratings, ratings)
    assert d.timestamps[0] == 1000000


def test_load_dataset_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        mtrec.load_dataset(str(tmp_path / "nope.csv"))
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\t2\t3\t4\n1\tx\n")
    with pytest.raises(mtrec.Error, match="bad.tsv"):
        mtrec.load_dataset(str(bad))
    assert issubclass(mtrec.Error, RuntimeError)
    with pytest.raises(ValueError, match="^duplicates: expected"):
        mtrec.load_dataset(str(bad), duplicates="sometimes")


def test_split_is_the_originals_and_shares_ids(data):
    train, test = mtrec.random_train_test_split(data, test_fraction=0.05, seed=123)
    assert len(train) == int(0.95 * len(data))
    assert len(train) + len(test) == len(data)
    again, _ = mtrec.random_train_test_split(data, test_fraction=0.05, seed=123)
    np.testing.assert_array_equal(train.users, again.users)
    other, _ = mtrec.random_train_test_split(data, test_fraction=0.05, seed=124)
    assert not np.array_equal(train.users, other.users)
    assert (train.num_users, train.num_items) == (data.num_users, data.num_items)
    with pytest.raises(ValueError, match="^test_fraction"):
        mtrec.random_train_test_split(data, test_fraction=1.5)
    with pytest.raises(TypeError, match="^data: expected mtrec.Interactions"):
        mtrec.random_train_test_split([1, 2, 3])


def test_load_split_shares_one_id_space_and_a_saved_model_finds_it(tmp_path):
    (tmp_path / "train.csv").write_text("u1,i1,4\nu2,i2,3\nu1,i3,5\nu2,i1,2\n")
    (tmp_path / "valid.csv").write_text("u1,i2,3\n")
    (tmp_path / "test.csv").write_text("u3,i4,1\nu2,i3,4\n")
    train, valid, test = mtrec.load_split(str(tmp_path / "train.csv"),
                                          str(tmp_path / "test.csv"),
                                          str(tmp_path / "valid.csv"))
    assert (len(train), len(valid), len(test)) == (4, 1, 2)
    assert list(test.users) == ["u3", "u2"]
    assert list(test.user_rows) == [2, 1]  # u3: a row after the training file's users
    assert (train.num_users, train.num_items) == (test.num_users, test.num_items) == (3, 4)
    model = mtrec.MultitaskModel(seed=1, threads=1)
    model.fit(train, epochs=1, validation=valid, test=test)
    model.save(str(tmp_path / "m.mtrec"))
    loaded = mtrec.load(str(tmp_path / "m.mtrec"), threads=1)
    items, _ = loaded.recommend("u1", k=2)
    # Read back from the recorded files: u1 has the others (padding: None).
    assert [i for i in items if i is not None] == ["i4"]
    assert mtrec.load_split(str(tmp_path / "train.csv"), str(tmp_path / "test.csv"))[1] is None
    with pytest.raises(FileNotFoundError, match="^test_path: no such file"):
        mtrec.load_split(str(tmp_path / "train.csv"), str(tmp_path / "nope.csv"))
