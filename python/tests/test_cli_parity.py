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
