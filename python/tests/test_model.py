"""MultitaskModel: configuration, fit, evaluate, recommend, predict, save/load."""

import numpy as np
import pytest

import mtrec
from mtrec import _mtrec


def test_version_and_defaults_are_the_librarys():
    assert mtrec.__version__ == _mtrec.__version__
    assert mtrec.__version__.count(".") == 2
    lib = _mtrec.defaults()
    model = mtrec.MultitaskModel()
    for key, value in model.config.items():
        if key == "learning_rate":  # None: the optimizer's default, 1e-3 for Adam
            assert value is None and lib[key] == pytest.approx(1e-3)
        else:
            assert value == lib[key], key


def test_keyword_arguments_and_defaults_come_from_the_schema():
    import inspect
    fields = _mtrec.config_fields()
    params = inspect.signature(mtrec.MultitaskModel).parameters
    assert list(params) == [keyword for keyword, _, _, _ in fields]
    for keyword, default, kind, doc in fields:
        assert params[keyword].default == default, keyword
        assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY
        assert f"{keyword} = {default!r}: {doc}" in mtrec.MultitaskModel.__doc__
    assert {"negatives", "rating_l2", "layers", "l2", "device"} <= set(params)
    with pytest.raises(TypeError, match="unexpected keyword argument 'negative'"):
        mtrec.MultitaskModel(negative=5)
    config = mtrec.MultitaskModel(layers=[8, 4], negatives=np.int64(3), learning_rate=1).config
    assert config["layers"] == (8, 4) and config["negatives"] == 3
    assert config["learning_rate"] == 1.0 and isinstance(config["learning_rate"], float)


@pytest.mark.parametrize("kwargs, message", [
    (dict(learning_rate=0.0), r"^learning_rate: expected a finite number > 0, got 0"),
    (dict(layers=()), r"^layers: "),
    (dict(l2=-1.0), r"^l2: "),
    (dict(embedding_dim=0), r"^embedding_dim: "),
    (dict(ranking_dim=-1), r"^ranking_dim: "),
    (dict(batch_size=0), r"^batch_size: "),
    (dict(optimizer="adamw"), r"^optimizer: expected adam, lazy_adam, adagrad, sgd or rowwise_adagrad"),
    (dict(bpr_loss="hinge"), r"^bpr_loss: expected sigmoid or log"),
    (dict(device="tpu"), r"^device: unknown device 'tpu' \(this build has: cpu"),
    (dict(seed=-1), r"^seed: "),
    (dict(threads=-2), r"^threads: "),
    (dict(negatives=0), r"^negatives: expected an integer in \[1, 1000\], got 0"),
    (dict(rating_l2=-1.0), r"^rating_l2: "),
])
def test_bad_configuration_is_a_value_error_naming_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mtrec.MultitaskModel(**kwargs)


def test_cuda_device_needs_a_cuda_build():
    if "cuda" in mtrec.devices():
        pytest.skip("this build has the CUDA backend")
    with pytest.raises(ValueError, match=r"^device: this build has no CUDA backend \(rebuild"):
        mtrec.MultitaskModel(device="cuda")


def test_fit_history_and_continuation(split):
    train, test = split
    once = mtrec.MultitaskModel(threads=1, seed=9)
    h = once.fit(train, epochs=2, test=test)
    assert [e["epoch"] for e in h] == [1, 2]
    assert set(h[0]) == {"epoch", "factorization_loss", "regression_loss", "joint_loss", "mrr",
                         "mse", "mrr_users", "train_seconds", "eval_seconds"}
    assert h[1]["joint_loss"] < h[0]["joint_loss"]
    twice = mtrec.MultitaskModel(threads=2, seed=9)
    twice.fit(train, epochs=1, test=test)
    more = twice.fit(train, epochs=1, test=test)
    assert [e["epoch"] for e in more] == [2]
    strip = lambda e: {k: v for k, v in e.items() if not k.endswith("seconds")}
    assert [strip(e) for e in twice.history] == [strip(e) for e in once.history]


def test_shard_tables_gives_the_same_model(split):
    # One process has one rank: the sharded backend's code, the same results.
    train, test = split
    models = [mtrec.MultitaskModel(threads=1, seed=9, shard_tables=s) for s in (False, True)]
    for m in models:
        m.fit(train, epochs=2, test=test)
    strip = lambda e: {k: v for k, v in e.items() if not k.endswith("seconds")}
    assert [strip(e) for e in models[1].history] == [strip(e) for e in models[0].history]
    assert models[1].config["shard_tables"] and not models[0].config["shard_tables"]
    assert np.array_equal(models[1].parameters()["Q"], models[0].parameters()["Q"])


def test_rating_implicit_keyword_adds_its_table_and_is_refused_where_it_cannot_run(split):
    train, test = split
    model = mtrec.MultitaskModel(threads=1, seed=3, shared_embeddings=False,
                                 rating_implicit=True)
    model.fit(train, epochs=1, test=test)
    assert model.config["rating_implicit"] is True
    assert "rating_implicit_item" in model.parameters()
    with pytest.raises(ValueError, match=r"^rating_implicit: needs the adam optimizer"):
        mtrec.MultitaskModel(shared_embeddings=False, rating_implicit=True,
                             optimizer="lazy_adam").fit(train, epochs=1)


def test_fit_without_test_and_with_validation(split):
    train, test = split
    model = mtrec.MultitaskModel(threads=2)
    h = model.fit(train, epochs=1)
    assert "mrr" not in h[0] and "val_mrr" not in h[0]
    h = model.fit(train, epochs=1, validation=test)
    assert 0 < h[0]["val_mrr"] <= 1 and h[0]["val_mse"] > 0


def test_callback_stops_and_verbose_prints_the_table(split, capsys):
    train, test = split
    seen = []
    model = mtrec.MultitaskModel(threads=2)
    h = model.fit(train, epochs=5, test=test, verbose=True,
                  callback=lambda e: seen.append(e["epoch"]) or e["epoch"] < 2)
    assert seen == [1, 2] and len(h) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["epoch", "factorization", "train_mse"]
    assert len(out) == 3 and out[2].split()[0] == "2"
    assert float(out[1].split()[4]) == pytest.approx(h[0]["mrr"], abs=1e-6)
    quiet = mtrec.MultitaskModel(threads=2)
    quiet.fit(train, epochs=1, test=test)
    assert capsys.readouterr().out == ""


def test_callback_exception_propagates(split):
    train, _ = split

    def boom(epoch):
        raise RuntimeError("from the callback")

    model = mtrec.MultitaskModel(threads=2)
    with pytest.raises(RuntimeError, match="from the callback"):
        model.fit(train, epochs=3, callback=boom)
    assert len(model.history) == 1


def test_evaluate(fitted, split):
    train, test = split
    result = fitted.evaluate(test)
    assert set(result) == set(mtrec.METRICS)
    assert result["mrr"] == pytest.approx(fitted.history[-1]["mrr"], rel=1e-12)
    assert result["mse"] == pytest.approx(fitted.history[-1]["mse"], rel=1e-12)
    assert result["rmse"] == pytest.approx(np.sqrt(result["mse"]), rel=1e-9)
    assert 0 <= result["precision"] <= 1 and 0.5 < result["auc"] <= 1
    assert set(fitted.evaluate(test, metrics=["ndcg"], k=5)) == {"ndcg"}
    with pytest.raises(ValueError, match="^metrics: unknown metric 'map'"):
        fitted.evaluate(test, metrics=["map"])
    with pytest.raises(ValueError, match="^k: "):
        fitted.evaluate(test, k=0)


def test_recommend(fitted, split):
    train, _ = split
    user = int(train.users[0])
    items, scores = fitted.recommend(user, k=10)
    assert items.shape == (10,) and scores.shape == (10,)
    assert np.all(np.diff(scores) <= 0)
    seen = set(train.items[train.users == user])
    assert not seen & set(items)
    with_seen, _ = fitted.recommend(user, k=10, exclude_seen=False)
    assert len(with_seen) == 10
    batch_items, batch_scores = fitted.recommend([user, int(train.users[1])], k=10)
    assert batch_items.shape == (2, 10)
    np.testing.assert_array_equal(batch_items[0], items)
    np.testing.assert_array_equal(batch_scores[0], scores)
    np.testing.assert_array_equal(fitted.recommend(np.array([user]), k=10)[0][0], items)
    with pytest.raises(KeyError, match="user '99999' is not in the model"):
        fitted.recommend(99999)
    with pytest.raises(ValueError, match=r"^k: expected an integer in \[1, "):
        fitted.recommend(user, k=0)


def test_recommend_pads_when_fewer_items_than_k():
    d = mtrec.Interactions(["a", "a", "b"], ["x", "y", "z"], [5.0, 4.0, 3.0])
    model = mtrec.MultitaskModel(threads=1, batch_size=2)
    model.fit(d, epochs=1)
    items, scores = model.recommend("a", k=3)
    assert items[0] == "z" and items[1] is None and np.isnan(scores[1])


def test_predict(fitted, split):
    _, test = split
    users, items = test.users, test.items
    ratings, scores = fitted.predict(users, items)
    assert ratings.shape == (len(test),) and ratings.dtype == np.float32
    # The predictions are those evaluate's MSE is computed from.
    mse = float(np.mean((ratings.astype(np.float64) - test.ratings) ** 2))
    assert mse == pytest.approx(fitted.evaluate(test, metrics=["mse"])["mse"], rel=1e-6)
    one_rating, one_score = fitted.predict(int(users[3]), int(items[3]))
    assert one_rating == ratings[3] and one_score == scores[3]
    # The factorisation score is the dot product plus the item bias.
    row_u = np.nonzero(fitted.user_ids == users[3])[0][0]
    row_i = np.nonzero(fitted.item_ids == items[3])[0][0]
    expected = fitted.user_embeddings[row_u] @ fitted.item_embeddings[row_i] + \
        fitted.item_biases[row_i]
    assert one_score == pytest.approx(expected, rel=1e-5, abs=1e-6)
    with pytest.raises(ValueError, match="^item_ids: expected 2 ids"):
        fitted.predict(users[:2], items[:3])
    with pytest.raises(KeyError, match="item '123456' is not in the model"):
        fitted.predict(int(users[0]), 123456)


def test_recommend_for_ratings(fitted, split):
    train, _ = split
    liked = {int(i): 5.0 for i in train.items[:5]}
    items, scores = fitted.recommend_for_ratings(liked, k=7)
    assert items.shape == (7,) and not set(liked) & set(items)
    assert np.all(np.diff(scores) <= 0)
    with pytest.raises(KeyError):
        fitted.recommend_for_ratings({-5: 4.0})


def test_similar_items_are_the_known_items_of_highest_cosine(fitted, data):
    q = fitted.item_embeddings.astype(np.float64)
    item = int(data.items[0])
    items, similarity = fitted.similar_items(item, k=6)
    assert items.shape == (6,) and item not in set(items)
    row = {int(i): r for r, i in enumerate(fitted._item_ids())}
    unit = q / np.linalg.norm(q, axis=1, keepdims=True).clip(1e-30)
    expected = unit[[row[int(i)] for i in items]] @ unit[row[item]]
    np.testing.assert_allclose(similarity, expected, atol=1e-5)
    assert np.all(np.diff(similarity) <= 0)
    known = set(int(i) for i in data.items) - {item}
    best = max(known, key=lambda i: (unit[row[i]] @ unit[row[item]], -row[i]))
    assert int(items[0]) == best
    with pytest.raises(KeyError):
        fitted.similar_items(-5)


def test_build_index_answers_recommend_with_the_exact_scores(split):
    train, _ = split
    model = mtrec.MultitaskModel(threads=1, seed=5)
    model.fit(train, epochs=1)
    users = np.unique(train.users)[:20]
    exact_items, _ = model.recommend(users, k=10)
    every = len(np.unique(train.items))
    exact = {u: dict(zip(*model.recommend(u, k=every))) for u in users}  # every unseen item
    assert model.index_info() == {}
    info = model.build_index(ef_construction=50)
    assert info["kind"] == "hnsw" and info["ef_construction"] == 50 and info["memory_bytes"] > 0
    assert model.index_info() == info
    items, scores = model.recommend(users, k=10)
    hits = sum(len(set(a) & set(b)) for a, b in zip(items, exact_items))
    assert hits >= 0.9 * exact_items.size
    for user, row, row_scores in zip(users, items, scores):
        assert not set(train.items[train.users == user]) & set(row)
        assert np.all(np.diff(row_scores) <= 0)
        for item, score in zip(row, row_scores):
            assert score == exact[user][item]  # the model's own score, bit for bit
    model.drop_index()
    assert model.index_info() == {}
    with pytest.raises(ValueError, match=r"^m: expected an integer in \[2, 1024\]"):
        model.build_index(m=1)


def test_embeddings_and_parameters(fitted, data):
    assert fitted.user_embeddings.shape == (data.num_users, 32)
    assert fitted.item_embeddings.shape == (data.num_items, 32)
    assert fitted.item_biases.shape == (data.num_items,)
    params = fitted.parameters()
    assert list(params)[:3] == ["U", "Q", "B"]
    assert params["mlp_layers.0.weight"].shape == (64, 96)
    copy = fitted.user_embeddings
    copy[:] = 0
    assert np.any(fitted.user_embeddings != 0)  # a copy, not a view


def test_separate_embeddings_and_str_ids():
    rng = np.random.default_rng(1)
    users = [f"u{k}" for k in rng.integers(0, 50, 2000)]
    items = [f"i{k}" for k in rng.integers(0, 80, 2000)]
    d = mtrec.Interactions(users, items, rng.integers(1, 6, 2000).astype(np.float32))
    train, test = mtrec.random_train_test_split(d)
    model = mtrec.MultitaskModel(shared_embeddings=False, optimizer="lazy_adam", threads=2)
    model.fit(train, epochs=2, test=test)
    items_out, _ = model.recommend("u3", k=5)
    assert all(isinstance(i, str) and i.startswith("i") for i in items_out)
    assert model.user_embeddings.shape == (50, 32)
    assert "U_reg" in model.parameters()


def test_rowwise_adagrad_is_accepted_and_trains():
    rng = np.random.default_rng(2)
    d = mtrec.Interactions(rng.integers(0, 40, 1500), rng.integers(0, 60, 1500),
                           rng.integers(1, 6, 1500).astype(np.float32))
    train, test = mtrec.random_train_test_split(d)
    model = mtrec.MultitaskModel(optimizer="rowwise_adagrad", threads=2)
    model.fit(train, epochs=3, test=test)
    losses = [e["joint_loss"] for e in model.history]
    assert losses[-1] < losses[0]


def test_data_of_another_numbering_is_refused(fitted):
    other = mtrec.Interactions(np.array([5, 6]), np.array([7, 8]))
    with pytest.raises(ValueError, match="^test: its ids are numbered differently"):
        fitted.evaluate(other)
    with pytest.raises(ValueError, match="^train: its ids are numbered differently"):
        fitted.fit(other)


def test_save_and_load(fitted, split, tmp_path):
    train, test = split
    path = tmp_path / "model.mtrec"
    fitted.save(str(path))
    loaded = mtrec.load(str(path))
    assert loaded.config["seed"] == 5 and loaded.config["learning_rate"] == 1e-3
    assert len(loaded.history) == 3
    assert loaded.history[-1]["mrr"] == fitted.history[-1]["mrr"]
    users, items = test.users[:20], test.items[:20]
    np.testing.assert_array_equal(loaded.predict(users, items)[0], fitted.predict(users, items)[0])
    # The checkpoint records its data set: the loaded model knows the whole
    # data set (train and test rows), as the fitted one knows what fit was given.
    np.testing.assert_array_equal(loaded.recommend(int(users[0]))[0],
                                  fitted.recommend(int(users[0]))[0])
    loaded.set_known_interactions(train)  # only the training rows: test items come back
    assert not np.array_equal(loaded.recommend(users[:20], k=50)[0],
                              fitted.recommend(users[:20], k=50)[0])
    # Known interactions are what recommend offers, not what evaluate ranks
    # last: a loaded model is told its training rows for that.
    assert loaded.evaluate(test, train=train) == fitted.evaluate(test)
    with pytest.raises(ValueError, match="train"):
        loaded.evaluate(test)
    # Training continues where the saved model stopped.
    h = loaded.fit(train, epochs=1, test=test)
    assert h[0]["epoch"] == 4


def test_recipe_elements_train_save_and_load(split, tmp_path):
    train, test = split
    kwargs = dict(shared_embeddings=False, rating_biases=True, rating_dot=True, rating_l2=2.0,
                  negatives=3, unseen_negatives=True, factorization_weight=0.5,
                  regression_weight=0.5, threads=2, seed=4)
    model = mtrec.MultitaskModel(**kwargs)
    h = model.fit(train, epochs=3, test=test)
    assert h[-1]["factorization_loss"] < h[0]["factorization_loss"]
    names = list(model.parameters())
    assert "rating_user_bias" in names and "rating_item_bias" in names
    # The same options in a second model give the same run (the stream of
    # candidates is seeded), and the options differ from the original's run.
    again = mtrec.MultitaskModel(**kwargs)
    again.fit(train, epochs=3, test=test)
    assert [e["mrr"] for e in again.history] == [e["mrr"] for e in h]
    plain = mtrec.MultitaskModel(shared_embeddings=False, factorization_weight=0.5,
                                 regression_weight=0.5, threads=2, seed=4)
    plain.fit(train, epochs=3, test=test)
    assert [e["mrr"] for e in plain.history] != [e["mrr"] for e in h]
    path = tmp_path / "recipe.mtrec"
    model.save(str(path))
    loaded = mtrec.load(str(path))
    for key in ("rating_biases", "rating_dot", "rating_l2", "negatives", "unseen_negatives"):
        assert loaded.config[key] == kwargs[key], key
    assert loaded.evaluate(test, train=train) == model.evaluate(test)


def test_ranking_dim_widens_the_ranking_tables_alone(split, tmp_path):
    train, test = split
    model = mtrec.MultitaskModel(shared_embeddings=False, embedding_dim=8, ranking_dim=12,
                                 threads=2, seed=4)
    model.fit(train, epochs=2, test=test)
    assert model.user_embeddings.shape[1] == 12 and model.item_embeddings.shape[1] == 12
    assert model.parameters()["U_reg"].shape[1] == 8
    path = tmp_path / "wide.mtrec"
    model.save(str(path))
    loaded = mtrec.load(str(path))
    assert loaded.config["ranking_dim"] == 12
    assert loaded.evaluate(test, train=train) == model.evaluate(test)
    with pytest.raises(ValueError, match=r"^ranking_dim: needs separate embeddings"):
        mtrec.MultitaskModel(embedding_dim=8, ranking_dim=12).fit(train, epochs=1)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.mtrec"):
        mtrec.load(str(tmp_path / "missing.mtrec"))
    bad = tmp_path / "bad.mtrec"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(mtrec.Error, match="bad.mtrec"):
        mtrec.load(str(bad))


def test_load_refuses_non_finite_weights(fitted, tmp_path):
    """A checkpoint edited to hold NaN, its checksum recomputed, is refused
    naming the file and the tensor (it would rank NaN)."""
    import json
    import struct

    import crc32c
    path = tmp_path / "nan.mtrec"
    fitted.save(str(path))
    data = bytearray(path.read_bytes())
    (n,) = struct.unpack("<Q", data[:8])
    start = 8 + n + json.loads(bytes(data[8:8 + n]))["Q"]["data_offsets"][0]
    data[start:start + 4] = struct.pack("<f", float("nan"))
    field = data.index(b'"crc32c":"') + len(b'"crc32c":"')
    data[field:field + 8] = b"00000000"
    data[field:field + 8] = b"%08x" % crc32c.crc32c(bytes(data))
    path.write_bytes(bytes(data))
    with pytest.raises(mtrec.Error, match="nan.mtrec: tensor 'Q' holds a value that is not finite"):
        mtrec.load(str(path))


def test_load_reads_a_moved_data_set_from_dataset(arrays, tmp_path):
    """load(dataset=...) reads the recorded data set from where it moved; a
    missing one is an error naming it, another data set is refused."""
    users, items, ratings = arrays
    (tmp_path / "a").mkdir()
    original = tmp_path / "a" / "ratings.tsv"
    with open(original, "w") as f:
        for u, i, r in zip(users[:3000], items[:3000], ratings[:3000]):
            f.write(f"{u}\t{i}\t{int(r)}\n")
    train, test = mtrec.random_train_test_split(mtrec.load_dataset(str(original)))
    model = mtrec.MultitaskModel(threads=2, seed=3)
    model.fit(train, epochs=1)
    path = tmp_path / "m.mtrec"
    model.save(str(path))
    expected = model.recommend(int(users[0]))
    moved = tmp_path / "moved.tsv"
    original.rename(moved)
    with pytest.raises(FileNotFoundError, match="ratings.tsv.*pass dataset PATH if it moved"):
        mtrec.load(str(path)).recommend(int(users[0]))
    loaded = mtrec.load(str(path), dataset=str(moved))
    got = loaded.recommend(int(users[0]))
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    other = tmp_path / "other.tsv"
    other.write_text("".join(f"{u}\t{i}\t3\n" for u, i in zip(users[:2000], items[:2000])))
    with pytest.raises(FileNotFoundError, match="other.tsv is not the data set the model was"):
        mtrec.load(str(path), dataset=str(other)).recommend(int(users[0]))


def test_unfitted_model_says_so():
    with pytest.raises(mtrec.Error, match="not been fitted"):
        mtrec.MultitaskModel().recommend(1)


def test_models_and_data_refuse_pickling_with_a_clear_error(fitted, split):
    """They hold C++ state: pickling (or copying) says so and what to do instead."""
    import copy
    import pickle
    train, _ = split
    for obj, name, hint in ((fitted, "MultitaskModel", "save"),
                            (mtrec.MultitaskModel(), "MultitaskModel", "save"),
                            (train, "Interactions", "columns")):
        with pytest.raises(TypeError, match=f"mtrec.{name} cannot be pickled or copied; .*{hint}"):
            pickle.dumps(obj)
        with pytest.raises(TypeError, match=f"mtrec.{name} cannot be pickled"):
            copy.deepcopy(obj)
