"""Every public argument is checked in Python terms: a wrong type is a TypeError,
a value out of range a ValueError, each naming the argument (issue 22, item 12).

The first tests are the issue's examples; the sweep then calls every public
function and method with a wrong type and an out-of-range value for each of
its arguments, and MultitaskModel with each configuration keyword of the
schema (by its type column)."""

import numpy as np
import pytest

import mtrec
from mtrec import _mtrec


def names_argument(error, name):
    """Whether the exception's message starts with or names the argument."""
    message = str(error.args[0]) if error.args else ""
    return message.startswith(name) or name in message


# --- the examples ---------------------------------------------------

def test_a_float_embedding_dim_is_a_type_error():
    with pytest.raises(TypeError, match=r"^embedding_dim: expected an integer, got float$"):
        mtrec.MultitaskModel(embedding_dim=32.5)


def test_huge_epochs_is_a_value_error_before_any_work(split):
    train, _ = split
    model = mtrec.MultitaskModel(threads=1)
    with pytest.raises(ValueError,
                       match=r"^epochs: expected an integer in \[0, 2147483647\], "
                             r"got 1099511627776$"):
        model.fit(train, epochs=2**40)
    assert model.history == []


def test_huge_k_is_a_value_error(fitted, split):
    user = int(split[0].users[0])
    with pytest.raises(ValueError, match=r"^k: expected an integer in \[1, 2147483647\], got"):
        fitted.recommend(user, k=2**40)


def test_negative_split_seed_is_a_value_error(data):
    with pytest.raises(ValueError, match=r"^seed: expected an integer in \[0, 4294967295\], got -1$"):
        mtrec.random_train_test_split(data, seed=-1)


def test_load_dataset_of_none_is_a_type_error():
    with pytest.raises(TypeError, match=r"^dataset: expected a path \(str or os.PathLike\), "
                                        r"got NoneType$"):
        mtrec.load_dataset(None)


def test_fit_of_none_is_a_type_error():
    with pytest.raises(TypeError, match=r"^train: expected mtrec.Interactions, got NoneType$"):
        mtrec.MultitaskModel().fit(None)


def test_load_of_none_is_a_type_error_not_a_file_named_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "None").write_bytes(b"not a checkpoint")
    with pytest.raises(TypeError, match=r"^path: expected a path \(str or os.PathLike\), "
                                        r"got NoneType$"):
        mtrec.load(None)


def test_a_metric_name_alone_is_refused_not_iterated(fitted, split):
    with pytest.raises(TypeError, match=r"^metrics: expected an iterable of metric names"):
        fitted.evaluate(split[1], metrics="mrr")
    assert set(fitted.evaluate(split[1], metrics=("mrr",))) == {"mrr"}


def test_out_of_memory_is_a_memory_error_naming_python_arguments():
    # Raw ids make the tables as large as the largest id: 2^31 - 2 rows.
    huge = mtrec.Interactions(np.array([2**31 - 2, 1]), np.array([1, 2]), raw_ids=True)
    with pytest.raises(MemoryError) as error:
        mtrec.MultitaskModel(threads=1).fit(huge)
    message = str(error.value)
    assert "--" not in message, message
    assert "embedding_dim" in message and "remap_ids" in message, message


def test_path_like_and_numpy_scalars_are_accepted(fitted, split, tmp_path):
    path = tmp_path / "m.mtrec"
    fitted.save(path)  # a pathlib.Path
    loaded = mtrec.load(path, threads=np.int32(1))
    user = int(split[0].users[0])
    items, _ = loaded.recommend(user, k=np.int64(3), exclude_seen=np.bool_(False))
    assert items.shape == (3,)
    model = mtrec.MultitaskModel(embedding_dim=np.int64(8), learning_rate=np.float32(0.01),
                                 shared_embeddings=np.bool_(True), layers=np.array([8, 4]))
    assert model.config["embedding_dim"] == 8 and model.config["layers"] == (8, 4)
    part, _ = mtrec.random_train_test_split(split[0], np.float64(0.2), np.uint32(7))
    assert len(part) > 0


def test_a_path_with_a_nul_character_is_refused(fitted, tmp_path):
    with pytest.raises(ValueError, match=r"^path: a path cannot hold a NUL character"):
        fitted.save(str(tmp_path / "a\0b"))
    assert list(tmp_path.iterdir()) == []


# --- the sweep over every public callable ------------------------------------

class Context:
    """What the calls need: data, a fitted model and a saved checkpoint."""

    def __init__(self, ratings_file, data, split, fitted, tmp_path):
        self.ratings_file = ratings_file
        self.data = data
        self.train, self.test = split
        self.fitted = fitted
        self.user = int(self.train.users[0])
        self.item = int(self.train.items[0])
        self.saved = str(tmp_path / "saved.mtrec")
        fitted.save(self.saved)
        self.tmp_path = tmp_path


def from_pandas(c, **kw):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"userId": [1, 2], "movieId": [3, 4], "rating": [4.0, 5.0]})
    return mtrec.Interactions.from_pandas(**{"df": df, **kw})


#: Each public callable with valid values for the arguments a test leaves alone.
CALLS = {
    "load_dataset": lambda c, **kw: mtrec.load_dataset(**{"dataset": c.ratings_file, **kw}),
    "load_split": lambda c, **kw: mtrec.load_split(
        **{"train_path": c.ratings_file, "test_path": c.ratings_file, **kw}),
    "random_train_test_split":
        lambda c, **kw: mtrec.random_train_test_split(**{"data": c.data, **kw}),
    "load": lambda c, **kw: mtrec.load(**{"path": c.saved, **kw}),
    "Interactions": lambda c, **kw: mtrec.Interactions(**{"users": [1, 2], "items": [3, 4], **kw}),
    "Interactions.from_pandas": from_pandas,
    "Interactions.title": lambda c, **kw: c.data.title(**kw),
    "fit": lambda c, **kw: mtrec.MultitaskModel(threads=1).fit(**{"train": c.train, **kw}),
    "evaluate": lambda c, **kw: c.fitted.evaluate(**{"test": c.test, **kw}),
    "recommend": lambda c, **kw: c.fitted.recommend(**{"user_ids": c.user, **kw}),
    "predict":
        lambda c, **kw: c.fitted.predict(**{"user_ids": c.user, "item_ids": c.item, **kw}),
    "recommend_for_ratings":
        lambda c, **kw: c.fitted.recommend_for_ratings(**{"ratings": {c.item: 4.0}, **kw}),
    "similar_items": lambda c, **kw: c.fitted.similar_items(**{"item": c.item, **kw}),
    "set_known_interactions": lambda c, **kw: c.fitted.set_known_interactions(**kw),
    # Dropped at once: the other calls use the shared model's exact recommend.
    "build_index": lambda c, **kw: (c.fitted.build_index(**kw), c.fitted.drop_index()),
    "save": lambda c, **kw: c.fitted.save(**{"path": str(c.tmp_path / "new.mtrec"), **kw}),
}

T, V, K = TypeError, ValueError, KeyError
HUGE = 2**70

#: (callable, argument, bad value, exception). Every argument of every public
#: callable has a wrong-type row and, where it has a range, an out-of-range row.
CASES = [
    ("load_dataset", "dataset", None, T), ("load_dataset", "dataset", 42, T),
    ("load_dataset", "dataset", b"ratings.tsv", T), ("load_dataset", "dataset", "", V),
    ("load_dataset", "data_dir", 1, T), ("load_dataset", "data_dir", "", V),
    ("load_dataset", "format", 1, T), ("load_dataset", "format", "yaml", V),
    ("load_dataset", "columns", 1, T), ("load_dataset", "columns", "user,nope", V),
    ("load_dataset", "remap_ids", 1, T), ("load_dataset", "remap_ids", "yes", T),
    ("load_dataset", "duplicates", None, T), ("load_dataset", "duplicates", "sometimes", V),
    ("load_dataset", "threads", 1.5, T), ("load_dataset", "threads", True, T),
    ("load_dataset", "threads", -1, V), ("load_dataset", "threads", 2**31, V),
    ("load_split", "train_path", None, T), ("load_split", "train_path", "", V),
    ("load_split", "test_path", 42, T), ("load_split", "test_path", "", V),
    ("load_split", "validation_path", b"v.tsv", T), ("load_split", "validation_path", "", V),
    ("load_split", "data_dir", 1, T), ("load_split", "data_dir", "", V),
    ("load_split", "format", 1, T), ("load_split", "format", "yaml", V),
    ("load_split", "columns", 1, T), ("load_split", "columns", "user,nope", V),
    ("load_split", "remap_ids", 1, T), ("load_split", "duplicates", None, T),
    ("load_split", "duplicates", "sometimes", V), ("load_split", "threads", 1.5, T),
    ("load_split", "threads", -1, V),
    ("random_train_test_split", "data", None, T), ("random_train_test_split", "data", [1], T),
    ("random_train_test_split", "test_fraction", "0.1", T),
    ("random_train_test_split", "test_fraction", None, T),
    ("random_train_test_split", "test_fraction", 1.5, V),
    ("random_train_test_split", "test_fraction", float("nan"), V),
    ("random_train_test_split", "seed", 1.0, T), ("random_train_test_split", "seed", True, T),
    ("random_train_test_split", "seed", -1, V), ("random_train_test_split", "seed", 2**32, V),
    ("load", "path", None, T), ("load", "path", 5, T), ("load", "path", b"saved.mtrec", T),
    ("load", "path", "", V),
    ("load", "threads", "1", T), ("load", "threads", -1, V), ("load", "threads", 2**31, V),
    ("load", "dataset", 1, T), ("load", "dataset", "", V),
    ("load", "data_dir", 1, T), ("load", "data_dir", "", V),
    ("Interactions", "users", None, T), ("Interactions", "users", 5, T),
    ("Interactions", "users", "12", T), ("Interactions", "users", [1.5, 2.0], T),
    ("Interactions", "items", None, T), ("Interactions", "items", [3, None], T),
    ("Interactions", "ratings", 1.0, T), ("Interactions", "ratings", [4.0, float("inf")], V),
    ("Interactions", "timestamps", "x", T), ("Interactions", "timestamps", [1], V),
    ("Interactions", "raw_ids", 1, T), ("Interactions", "raw_ids", None, T),
    ("Interactions.from_pandas", "df", None, T), ("Interactions.from_pandas", "df", {}, T),
    ("Interactions.from_pandas", "user_col", None, T),
    ("Interactions.from_pandas", "user_col", ["userId"], T),
    ("Interactions.from_pandas", "user_col", "nope", K),
    ("Interactions.from_pandas", "item_col", 1.5, T),
    ("Interactions.from_pandas", "item_col", "nope", K),
    ("Interactions.from_pandas", "rating_col", ["rating"], T),
    ("Interactions.from_pandas", "rating_col", "nope", K),
    ("Interactions.from_pandas", "timestamp_col", {"a": 1}, T),
    ("Interactions.from_pandas", "timestamp_col", "nope", K),
    ("Interactions.from_pandas", "raw_ids", "no", T),
    ("Interactions.title", "item_id", None, T), ("Interactions.title", "item_id", 1.5, T),
    ("Interactions.title", "item_id", HUGE, V),
    ("fit", "train", None, T), ("fit", "train", "train", T),
    ("fit", "epochs", 1.0, T), ("fit", "epochs", None, T), ("fit", "epochs", -1, V),
    ("fit", "epochs", 2**31, V),
    ("fit", "test", 1, T), ("fit", "validation", "val", T),
    ("fit", "callback", 1, T), ("fit", "verbose", 1, T), ("fit", "verbose", None, T),
    ("fit", "max_steps", "1", T), ("fit", "max_steps", -1, V), ("fit", "max_steps", 2**63, V),
    ("fit", "early_stopping", 1, T), ("fit", "early_stopping", "auc", V),
    ("fit", "patience", 1.5, T), ("fit", "patience", 0, V), ("fit", "patience", 2**31, V),
    ("fit", "rating_epochs", None, T), ("fit", "rating_epochs", -1, V),
    ("fit", "rating_epochs", 2**31, V),
    ("evaluate", "test", None, T), ("evaluate", "metrics", "mrr", T),
    ("evaluate", "metrics", 5, T), ("evaluate", "metrics", [1], T),
    ("evaluate", "metrics", ["map"], V),
    ("evaluate", "k", 1.5, T), ("evaluate", "k", 0, V), ("evaluate", "k", 2**31, V),
    ("evaluate", "train", 1, T),
    ("recommend", "user_ids", None, T), ("recommend", "user_ids", 1.5, T),
    ("recommend", "user_ids", [True], T), ("recommend", "user_ids", HUGE, V),
    ("recommend", "k", 1.5, T), ("recommend", "k", "10", T), ("recommend", "k", 0, V),
    ("recommend", "k", 2**40, V),
    ("recommend", "exclude_seen", 1, T), ("recommend", "exclude_seen", None, T),
    ("predict", "user_ids", None, T), ("predict", "user_ids", HUGE, V),
    ("predict", "item_ids", [1.5], T), ("predict", "item_ids", -HUGE, V),
    ("recommend_for_ratings", "ratings", "4", T), ("recommend_for_ratings", "ratings", 5, T),
    ("recommend_for_ratings", "ratings", [(1, 2, 3)], T),
    ("recommend_for_ratings", "ratings", {1: "4"}, T),
    ("recommend_for_ratings", "ratings", {1: 100.0}, V),
    ("recommend_for_ratings", "ratings", {HUGE: 4.0}, V),
    ("recommend_for_ratings", "k", 1.5, T), ("recommend_for_ratings", "k", 0, V),
    ("recommend_for_ratings", "k", 2**31, V),
    ("recommend_for_ratings", "steps", "1", T), ("recommend_for_ratings", "steps", 0, V),
    ("recommend_for_ratings", "steps", 2**31, V),
    ("recommend_for_ratings", "learning_rate", "x", T),
    ("recommend_for_ratings", "learning_rate", 0.0, V),
    ("recommend_for_ratings", "l2", None, T), ("recommend_for_ratings", "l2", -1.0, V),
    ("recommend_for_ratings", "seed", 1.5, T), ("recommend_for_ratings", "seed", -1, V),
    ("recommend_for_ratings", "seed", 2**32, V),
    ("similar_items", "item", None, T), ("similar_items", "item", 1.5, T),
    ("similar_items", "item", [1], T), ("similar_items", "item", HUGE, V),
    ("similar_items", "item", -5, K),
    ("similar_items", "k", 1.5, T), ("similar_items", "k", 0, V), ("similar_items", "k", 2**31, V),
    ("set_known_interactions", "data", None, T), ("set_known_interactions", "data", [1], T),
    ("build_index", "m", 1.5, T), ("build_index", "m", 1, V), ("build_index", "m", 1025, V),
    ("build_index", "ef_construction", "8", T), ("build_index", "ef_construction", 0, V),
    ("build_index", "ef_construction", 2**21, V),
    ("build_index", "ef_search", 1.5, T), ("build_index", "ef_search", 0, V),
    ("build_index", "ef_search", 2**21, V),
    ("build_index", "seed", 1.5, T), ("build_index", "seed", -1, V),
    ("save", "path", None, T), ("save", "path", 5, T), ("save", "path", b"m.mtrec", T),
    ("save", "path", "", V),
    ("save", "overwrite", 1, T), ("save", "overwrite", "yes", T),
]


@pytest.fixture(scope="module")
def context(ratings_file, data, split, fitted, tmp_path_factory):
    return Context(ratings_file, data, split, fitted, tmp_path_factory.mktemp("arguments"))


@pytest.mark.parametrize("call, name, value, error", CASES,
                         ids=[f"{c}-{n}-{v!r}" for c, n, v, _ in CASES])
def test_every_argument_is_checked(context, call, name, value, error):
    with pytest.raises(error) as raised:
        CALLS[call](context, **{name: value})
    what = "item_id" if call == "Interactions.title" else name
    assert names_argument(raised.value, what), (call, name, str(raised.value))


def test_the_sweep_covers_every_public_callable_and_argument():
    import inspect
    covered = {(c, n) for c, n, _, _ in CASES}
    public = {"load_dataset": mtrec.load_dataset, "load_split": mtrec.load_split,
              "random_train_test_split": mtrec.random_train_test_split, "load": mtrec.load,
              "Interactions": mtrec.Interactions.__init__,
              "Interactions.from_pandas": mtrec.Interactions.from_pandas,
              "Interactions.title": mtrec.Interactions.title}
    for method in ("fit", "evaluate", "recommend", "predict", "recommend_for_ratings",
                   "similar_items", "set_known_interactions", "save", "build_index"):
        public[method] = getattr(mtrec.MultitaskModel, method)
    for call, function in public.items():
        for name in inspect.signature(function).parameters:
            if name not in ("self", "cls"):
                assert (call, name) in covered, (call, name)
    # Every public method of MultitaskModel and Interactions taking arguments is listed.
    for cls, prefix in ((mtrec.MultitaskModel, ""), (mtrec.Interactions, "Interactions.")):
        for attr, member in vars(cls).items():
            if attr.startswith("_") or not callable(member) and not isinstance(member, classmethod):
                continue
            function = member.__func__ if isinstance(member, classmethod) else member
            args = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
            if args:
                assert prefix + attr in public, attr
    assert set(mtrec.__all__) - {"Error", "__version__", "devices"} <= {
        name.split(".")[0] for name in public} | {"MultitaskModel"}


#: A wrong type and an out-of-range value for each configuration type.
WRONG_TYPE = {"int": [1.5, "8", True, None], "float": ["0.1", True, [1.0]],
              "bool": [1, "true", None], "str": [1, None, ["adam"]],
              "ints": ["64", 64, [1.5], [True]]}
OUT_OF_RANGE = {"int": [2**40, -2**40, HUGE], "float": [float("nan"), float("inf"), 1e400],
                "bool": [], "str": ["nonsense"], "ints": [[2**40], [], [-1]]}


def config_cases():
    for keyword, default, kind, _ in _mtrec.config_fields():
        for value in WRONG_TYPE[kind]:
            if value is None and default is None:
                continue  # None is this keyword's default (learning_rate)
            yield keyword, kind, value, TypeError
        for value in OUT_OF_RANGE[kind]:
            yield keyword, kind, value, ValueError


@pytest.mark.parametrize("keyword, kind, value, error", list(config_cases()),
                         ids=[f"{k}-{v!r}" for k, _, v, _ in config_cases()])
def test_every_configuration_keyword_is_checked_by_its_type(keyword, kind, value, error):
    with pytest.raises(error) as raised:
        mtrec.MultitaskModel(**{keyword: value})
    assert str(raised.value).startswith(f"{keyword}: "), str(raised.value)


def test_the_configuration_types_are_the_ones_checked():
    kinds = {kind for _, _, kind, _ in _mtrec.config_fields()}
    assert kinds <= set(WRONG_TYPE), kinds


#: Odd values tried on every argument of the sweep: whatever a call does with
#: them, it raises only the documented exceptions, never pybind11's own text.
ODD_VALUES = [None, True, np.bool_(False), -1, 2**70, -2**70, 1.5, float("nan"), "", "\0",
              b"x", [None], [2**70], object(), np.array([[1]]), np.uint64(2**64 - 1)]
DOCUMENTED = (TypeError, ValueError, KeyError, FileNotFoundError, FileExistsError, MemoryError,
              mtrec.Error)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("call, name", sorted({(c, n) for c, n, _, _ in CASES}))
def test_odd_values_raise_only_documented_exceptions(context, call, name, tmp_path,
                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a path argument's odd value would land
    for value in ODD_VALUES:
        try:
            CALLS[call](context, **{name: value})
        except DOCUMENTED as error:
            message = str(error)
            for raw in ("incompatible function arguments", "Unable to cast", "PYBIND11"):
                assert raw not in message, (call, name, value, message)
        except BaseException as error:  # pragma: no cover - the failure to report
            pytest.fail(f"{call}({name}={value!r}) raised {type(error).__name__}: {error}")
