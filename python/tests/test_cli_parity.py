"""The package and the CLI are one engine: same data, split, configuration and
seed give the same per-epoch metrics, bit for bit, and share checkpoints."""

import json
import subprocess

import pytest

import mtrec


def without_timings(epoch):
    return {k: v for k, v in epoch.items() if not k.endswith("seconds")}


@pytest.mark.parametrize("flags, kwargs", [
    ([], {}),
    (["--no_shared_embeddings", "--optimizer", "lazy_adam", "--layers", "32,16"],
     dict(shared_embeddings=False, optimizer="lazy_adam", layers=(32, 16))),
])
def test_fit_matches_mtrec_train(cli, ratings_file, tmp_path, flags, kwargs):
    run = tmp_path / "run"
    subprocess.run([cli, "train", "--dataset", ratings_file, "--epochs", "3", "--seed", "7",
                    "--threads", "1", "--logdir", str(run)] + flags,
                   check=True, capture_output=True)
    with open(run / "metrics.jsonl") as f:
        expected = [without_timings(json.loads(line)) for line in f]

    data = mtrec.load_dataset(ratings_file)
    train, test = mtrec.random_train_test_split(data)
    model = mtrec.MultitaskModel(seed=7, threads=2, **kwargs)
    history = model.fit(train, epochs=3, test=test)
    assert [without_timings(e) for e in history] == expected


def test_cli_evaluates_a_model_saved_from_python(cli, fitted, split, tmp_path):
    _, test = split
    path = tmp_path / "model.mtrec"
    fitted.save(str(path))
    out = subprocess.run([cli, "evaluate", "--model", str(path), "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    from_cli = json.loads(out)["metrics"]
    from_python = fitted.evaluate(test)
    for metric in ("mrr", "mse", "rmse", "mae", "auc"):
        assert from_cli[metric] == from_python[metric], metric
    for metric in ("precision", "recall", "ndcg", "hit_rate"):
        assert from_cli[metric + "@10"] == from_python[metric], metric


def test_python_loads_a_model_saved_by_the_cli(cli, ratings_file, tmp_path):
    path = tmp_path / "cli.mtrec"
    subprocess.run([cli, "train", "--dataset", ratings_file, "--epochs", "2", "--threads", "2",
                    "--logdir", str(tmp_path / "run"), "--save", str(path)],
                   check=True, capture_output=True)
    model = mtrec.load(str(path))
    assert [e["epoch"] for e in model.history] == [1, 2]
    train, test = mtrec.random_train_test_split(mtrec.load_dataset(ratings_file))
    assert model.evaluate(test, train=train)["mrr"] == pytest.approx(model.history[-1]["mrr"],
                                                                   rel=1e-12)


def test_per_head_early_stopping_matches_the_cli_recipe(cli, ratings_file, tmp_path):
    """The recipe through the package (fit's early_stopping) is the CLI's
    `--recipe mtrec` before its refit: same epochs, same chosen epochs, same
    final weights."""
    run, path = tmp_path / "run", tmp_path / "recipe.mtrec"
    subprocess.run([cli, "train", "--dataset", ratings_file, "--recipe", "mtrec", "--refit", "false",
                    "--epochs", "30",
                    "--patience", "2", "--learning_rate", "0.01", "--seed", "5", "--threads", "2", "--logdir", str(run),
                    "--save", str(path)], check=True, capture_output=True)
    with open(run / "metrics.jsonl") as f:
        expected = [without_timings(json.loads(line)) for line in f]
    with open(run / "config.json") as f:
        rating_l2 = json.load(f)["config"]["train"]["rating_l2"]  # chosen on validation
    from_cli = json.loads(subprocess.run(
        [cli, "evaluate", "--model", str(path), "--format", "json"],
        check=True, capture_output=True, text=True).stdout)

    data = mtrec.load_dataset(ratings_file)
    rows, test = mtrec.random_train_test_split(data)
    train, val = mtrec.random_train_test_split(rows, 0.05, seed=321)
    model = mtrec.MultitaskModel(shared_embeddings=False, rating_biases=True, rating_l2=rating_l2,
                                 negatives=5, factorization_weight=0.5, regression_weight=0.5,
                                 learning_rate=0.01, seed=5, threads=2)
    history = model.fit(train, 30, test=test, validation=val, early_stopping="per_head",
                        patience=2)
    assert [without_timings(e) for e in history] == expected
    assert len(history) < 30  # the patience stopped it
    assert model.best_epoch == max(range(1, len(history) + 1),
                                   key=lambda e: (history[e - 1]["val_mrr"], -e))
    assert model.best_rating_epoch == min(range(1, len(history) + 1),
                                          key=lambda e: (history[e - 1]["val_mse"], e))
    assert model.best_epoch != model.best_rating_epoch or len(history) == 1
    assert from_cli["epoch"] == model.best_epoch
    assert from_cli["rating_epoch"] == model.best_rating_epoch
    # Both rank the test items with the user's training AND validation items
    # last (the validation rows are part of the original's training split).
    metrics = model.evaluate(test)
    assert metrics["mrr"] == from_cli["metrics"]["mrr"]
    assert metrics["mse"] == from_cli["metrics"]["mse"]
    assert model.evaluate(test, train=rows)["mrr"] == metrics["mrr"]
    assert model.evaluate(test, train=train)["mrr"] < metrics["mrr"]  # validation items compete

    # Saved from Python, the checkpoint names the restored epochs as the CLI's does.
    saved = tmp_path / "python.mtrec"
    model.save(str(saved))
    described = json.loads(subprocess.run(
        [cli, "evaluate", "--model", str(saved), "--format", "json"],
        check=True, capture_output=True, text=True).stdout)
    assert described["epoch"] == model.best_epoch
    assert described["rating_epoch"] == model.best_rating_epoch
    assert described["best_restored"] is True
    assert described["metrics"]["mse"] == metrics["mse"]
    # A further fit moves the weights on: the checkpoint then names its last epoch.
    model.fit(train, 1)
    assert model.best_epoch is None
    model.save(str(saved), overwrite=True)
    described = json.loads(subprocess.run(
        [cli, "evaluate", "--model", str(saved), "--format", "json"],
        check=True, capture_output=True, text=True).stdout)
    assert described["epoch"] == len(history) + 1
    assert "best_restored" not in described


def recipe_rating_l2(train, val, config, epochs, patience):
    """The CLI recipe's choice of rating_l2 (its --rating_l2_grid 1,10,30): each
    value's rating head alone (factorization_weight 0), early-stopped on
    validation MSE; the lowest wins. Returns (value, [(value, mse, epoch)])."""
    trials = []
    for value in (1, 10, 30):
        alone = mtrec.MultitaskModel(**{**config, "rating_l2": value, "factorization_weight": 0})
        history = alone.fit(train, epochs, validation=val, early_stopping="mse", patience=patience)
        trials.append((value, history[alone.best_epoch - 1]["val_mse"], alone.best_epoch))
    return min(trials, key=lambda t: t[1])[0], trials


def test_refit_matches_the_cli_recipe(cli, ratings_file, tmp_path):
    """The CLI's refitting recipe is, through the package, the choice of
    rating_l2 (recipe_rating_l2), the selection fit and then a fresh model's
    fit on the whole training split with each head's chosen epochs
    (rating_epochs): the same test figures, exactly."""
    path = tmp_path / "recipe.mtrec"
    subprocess.run([cli, "train", "--dataset", ratings_file, "--recipe", "mtrec", "--epochs", "30",
                    "--patience", "2", "--learning_rate", "0.01", "--seed", "5", "--threads", "2",
                    "--logdir", str(tmp_path / "run"), "--save", str(path)],
                   check=True, capture_output=True)
    from_cli = json.loads(subprocess.run(
        [cli, "evaluate", "--model", str(path), "--format", "json"],
        check=True, capture_output=True, text=True).stdout)
    assert from_cli["refitted"] is True

    data = mtrec.load_dataset(ratings_file)
    rows, test = mtrec.random_train_test_split(data)
    train, val = mtrec.random_train_test_split(rows, 0.05, seed=321)
    config = dict(shared_embeddings=False, rating_biases=True, negatives=5,
                  factorization_weight=0.5, regression_weight=0.5, learning_rate=0.01, seed=5,
                  threads=2)
    rating_l2, trials = recipe_rating_l2(train, val, config, 30, 2)
    with open(tmp_path / "run" / "config.json") as f:
        recorded = json.load(f)
    assert recorded["config"]["train"]["rating_l2"] == rating_l2
    assert [(t["rating_l2"], t["val_mse"], t["best_epoch"])
            for t in recorded["run"]["rating_l2_trials"]] == trials
    config["rating_l2"] = rating_l2
    chosen = mtrec.MultitaskModel(**config)
    chosen.fit(train, 30, validation=val, early_stopping="per_head", patience=2)
    assert (from_cli["epoch"], from_cli["rating_epoch"]) == (chosen.best_epoch,
                                                             chosen.best_rating_epoch)
    refitted = mtrec.MultitaskModel(**config)
    history = refitted.fit(rows, chosen.best_epoch, rating_epochs=chosen.best_rating_epoch)
    assert len(history) == max(chosen.best_epoch, chosen.best_rating_epoch)
    metrics = refitted.evaluate(test)
    assert metrics["mrr"] == from_cli["metrics"]["mrr"]
    assert metrics["mse"] == from_cli["metrics"]["mse"]
    assert metrics["mrr"] != chosen.evaluate(test)["mrr"]  # the refit changed the model
    # Saved from Python, the split heads are recorded as the CLI records its refit.
    saved = tmp_path / "refit.mtrec"
    refitted.save(str(saved))
    described = json.loads(subprocess.run(
        [cli, "evaluate", "--model", str(saved), "--format", "json"],
        check=True, capture_output=True, text=True).stdout)
    assert described["refitted"] is True
    assert (described["epoch"], described["rating_epoch"]) == (chosen.best_epoch,
                                                               chosen.best_rating_epoch)
    assert described["metrics"]["mrr"] == metrics["mrr"]
    with pytest.raises(ValueError, match="rating_epochs: needs separate embeddings"):
        mtrec.MultitaskModel().fit(rows, 2, rating_epochs=3)


def test_early_stopping_needs_validation_and_a_known_metric(split):
    train, test = split
    with pytest.raises(ValueError, match="early_stopping: needs validation"):
        mtrec.MultitaskModel().fit(train, 2, test=test, early_stopping="mrr")
    with pytest.raises(ValueError, match="early_stopping: expected mrr, mse, per_head or none, got 'auc'"):
        mtrec.MultitaskModel().fit(train, 2, validation=test, early_stopping="auc")
    with pytest.raises(ValueError, match="per_head needs separate embeddings"):
        mtrec.MultitaskModel().fit(train, 2, validation=test, early_stopping="per_head")
    with pytest.raises(ValueError, match="patience"):
        mtrec.MultitaskModel().fit(train, 2, validation=test, early_stopping="mse", patience=0)
    model = mtrec.MultitaskModel()
    model.fit(train, 2, validation=test)
    assert model.best_epoch is None and model.best_rating_epoch is None
