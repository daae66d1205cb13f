"""mtrec: a multitask recommender (BPR matrix factorisation + an MLP rating head).

Trains one model on implicit feedback (ranking, BPR loss) and explicit ratings
(regression, MSE loss) at once, on the C++ engine of the ``mtrec`` command.
Results are the CLI's: the same data, split, configuration and seed give the
same model, bit for bit, whatever the number of threads.

    import mtrec
    data = mtrec.load_dataset("ml-100k")
    train, test = mtrec.random_train_test_split(data)
    model = mtrec.MultitaskModel()
    history = model.fit(train, epochs=20, test=test)
    print(model.evaluate(test))
    items, scores = model.recommend(196, k=10)

Ids: every function takes and returns the data's own user and item ids (int
or str, as the data has them); the model's table rows stay inside.

Errors: every argument is checked before any work: a wrong type is a
TypeError and a value out of range a ValueError, each message starting with
the argument's name. Integer arguments take int or numpy integers (not bool,
not float), number arguments int, float or numpy scalars, flags bool, paths
str or os.PathLike. A missing file is FileNotFoundError, an unknown id
KeyError, a model or data set too large for memory MemoryError, a corrupt file
or another failure of the engine :class:`Error` (a RuntimeError).
"""

from __future__ import annotations

import inspect
import numbers
import operator
import os
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _mtrec

__all__ = [
    "Error",
    "Interactions",
    "MultitaskModel",
    "load",
    "load_dataset",
    "load_split",
    "random_train_test_split",
    "devices",
    "__version__",
]

#: The version of mtrec (the library and CLI it was built with).
__version__: str = _mtrec.__version__

#: A failure of the engine: a corrupt checkpoint or data file, an I/O error,
#: an unavailable device. Its message is the one line the CLI prints.
Error = _mtrec.Error

#: Every metric :meth:`MultitaskModel.evaluate` computes.
METRICS: Tuple[str, ...] = (
    "mrr", "mse", "rmse", "mae", "precision", "recall", "ndcg", "hit_rate", "auc")

Ids = Union[int, str, Sequence[Any], np.ndarray]


def devices() -> List[str]:
    """The compute devices (backends) of this build, e.g. ``["cpu"]``."""
    return list(_mtrec.devices())


def _is_text(values: Any) -> bool:
    """Whether an id column holds text (str) rather than integers."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "US":
            return True
        if values.dtype.kind != "O":
            return False
        return values.size > 0 and isinstance(values.flat[0], str)
    return len(values) > 0 and isinstance(next(iter(values)), str)


def _as_column(values: Any) -> Any:
    """A pandas Series or other array-like as something numpy reads in place."""
    if hasattr(values, "to_numpy"):
        return values.to_numpy()
    return values


# Argument checks: every public function and method checks its arguments here,
# in Python terms, before they reach the engine. A wrong type is a TypeError,
# a value out of range a ValueError; both start with the argument's name.
# Integers are int or numpy integers (not bool), bounded by the C++ type that
# takes them; numbers are int, float or numpy scalars (not bool); paths str or
# os.PathLike.

#: Bounds of the C++ integer types that arguments are cast to.
_INT_MAX = 2**31 - 1
_UINT32_MAX = 2**32 - 1
_INT64_MAX = 2**63 - 1


def _type_of(value: Any) -> str:
    return type(value).__name__


def _int(name: str, value: Any, lo: Optional[int] = 0, hi: Optional[int] = _INT_MAX) -> int:
    """``value`` as an int in [lo, hi] (an int or numpy integer, not a bool);
    lo = hi = None: any int."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an integer, got bool")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {_type_of(value)}") from None
    if lo is not None and hi is not None and not lo <= v <= hi:
        raise ValueError(f"{name}: expected an integer in [{lo}, {hi}], got {v}")
    return v


def _float(name: str, value: Any) -> float:
    """``value`` as a float (an int, float or numpy scalar, not a bool); the
    engine checks its range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number, got {_type_of(value)}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name}: expected a finite number, got {value}") from None


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {_type_of(value)}")
    return bool(value)


def _optional(check: Callable[..., Any]) -> Callable[..., Any]:
    """``check`` that lets None through."""
    return lambda name, value, *args: None if value is None else check(name, value, *args)


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {_type_of(value)}")
    return value


def _path(name: str, value: Any) -> str:
    """A file or folder name: a str or os.PathLike, not empty, without NUL."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a path (str or os.PathLike), got {_type_of(value)}")
    path = os.fsdecode(os.fspath(value))
    if not path:
        raise ValueError(f"{name}: expected a path, got an empty one")
    if "\0" in path:
        raise ValueError(f"{name}: a path cannot hold a NUL character, got {path!r}")
    return path


def _data(name: str, value: Any) -> Any:
    """The engine's data of an Interactions."""
    if not isinstance(value, Interactions):
        raise TypeError(f"{name}: expected mtrec.Interactions, got {_type_of(value)}")
    return value._data


def _callable(name: str, value: Any) -> Any:
    if not callable(value):
        raise TypeError(f"{name}: expected a callable, got {_type_of(value)}")
    return value


def _column(name: str, value: Any) -> Any:
    """A column of values: a numpy array, pandas Series, list, tuple, ... (not a
    str, not a scalar)."""
    value = _as_column(value)
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (str, bytes)) or not (hasattr(value, "__len__")
                                               and hasattr(value, "__iter__")):
        raise TypeError(f"{name}: expected a sequence or array, got {_type_of(value)}")
    return value


def _id(name: str, value: Any) -> Any:
    """One id: an int (or numpy integer) or a str."""
    if isinstance(value, str):
        return value
    return _int(name, value, -_INT64_MAX - 1, _INT64_MAX)


def _metric_names(name: str, value: Any) -> List[str]:
    """Metric names: an iterable of str from METRICS (a str alone is refused,
    not iterated); None: all of them."""
    if value is None:
        return list(METRICS)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name}: expected an iterable of metric names such as ['mrr'], got "
                        f"{_type_of(value)}")
    wanted = list(value)
    for m in wanted:
        if not isinstance(m, str):
            raise TypeError(f"{name}: expected metric names (str), got {_type_of(m)}")
        if m not in METRICS:
            raise ValueError(f"{name}: unknown metric {m!r} (expected some of "
                             f"{', '.join(METRICS)})")
    return wanted


def _rating_pairs(name: str, value: Any) -> Tuple[List[Any], np.ndarray]:
    """(item ids, float32 ratings) of {item_id: rating} or (item_id, rating) pairs."""
    if hasattr(value, "items") and callable(value.items):
        pairs = list(value.items())
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name}: expected {{item_id: rating}} or (item_id, rating) pairs, got "
                        f"{_type_of(value)}")
    else:
        pairs = list(value)
    for pair in pairs:
        if (isinstance(pair, (str, bytes)) or not isinstance(pair, (Sequence, np.ndarray))
                or len(pair) != 2):
            raise TypeError(f"{name}: expected (item_id, rating) pairs, got {pair!r}")
    item_ids = [_id(f"{name}: item id", p[0]) for p in pairs]
    values = [_float(f"{name}[{p[0]!r}]", p[1]) for p in pairs]
    return item_ids, np.asarray(values, dtype=np.float32)


def _not_picklable(name: str, instead: str) -> Callable[..., Any]:
    """A __reduce_ex__ that refuses pickling (and copy.copy/deepcopy) with a
    clear TypeError: the objects hold C++ state that a copy would share."""
    def __reduce_ex__(self: Any, protocol: Any) -> Any:
        raise TypeError(f"mtrec.{name} cannot be pickled or copied; {instead}")
    return __reduce_ex__


class Interactions:
    """(user, item, rating, timestamp) events with the data set's ids.

    ``Interactions(users, items, ratings=None, timestamps=None)`` builds them
    from columns: numpy arrays or lists, int or str ids (contiguous int32,
    int64 and float32 arrays are read without a copy). Ids are numbered
    densely for the model's tables and mapped back in every result; with
    ``raw_ids=True`` integer ids are the table rows themselves (the original's
    MovieLens convention). ``ratings=None`` means implicit feedback (every
    rating 1).

    The parts of :func:`random_train_test_split` share their data set's ids,
    so a model fitted on one part evaluates on the other.
    """

    def __init__(self, users: Any, items: Any, ratings: Any = None, timestamps: Any = None,
                 *, raw_ids: bool = False) -> None:
        users, items = _column("users", users), _column("items", items)
        ratings = _optional(_column)("ratings", ratings)
        timestamps = _optional(_column)("timestamps", timestamps)
        raw_ids = _bool("raw_ids", raw_ids)
        if _is_text(users) or _is_text(items):
            if raw_ids:
                raise ValueError("raw_ids: text ids cannot be table rows")
            self._data = _mtrec.from_strings([str(u) for u in users], [str(i) for i in items],
                                             ratings, timestamps)
        else:
            self._data = _mtrec.from_arrays(users, items, ratings, timestamps, raw_ids)
        self._ids: Dict[str, np.ndarray] = {}

    @classmethod
    def _wrap(cls, data: Any) -> "Interactions":
        self = cls.__new__(cls)
        self._data = data
        self._ids = {}
        return self

    @classmethod
    def from_pandas(cls, df: Any, user_col: str = "userId", item_col: str = "movieId",
                    rating_col: Optional[str] = "rating",
                    timestamp_col: Optional[str] = None, *, raw_ids: bool = False
                    ) -> "Interactions":
        """Interactions from a pandas DataFrame's columns (rating_col=None: implicit)."""
        if not hasattr(df, "columns") or not hasattr(df, "__getitem__"):
            raise TypeError(f"df: expected a pandas DataFrame, got {_type_of(df)}")
        for name, col in (("user_col", user_col), ("item_col", item_col),
                          ("rating_col", rating_col), ("timestamp_col", timestamp_col)):
            if col is None and name in ("user_col", "item_col"):
                raise TypeError(f"{name}: expected a column name, got NoneType")
            if col is not None and not isinstance(col, (str, numbers.Integral)):
                raise TypeError(f"{name}: expected a column name (str), got {_type_of(col)}")
            if col is not None and col not in df.columns:
                raise KeyError(f"{name}: the DataFrame has no column {col!r} "
                               f"(it has {list(df.columns)})")
        return cls(df[user_col], df[item_col],
                   None if rating_col is None else df[rating_col],
                   None if timestamp_col is None else df[timestamp_col], raw_ids=raw_ids)

    __reduce_ex__ = _not_picklable(
        "Interactions", "keep its columns (users, items, ratings) or the file it was read from")

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return (f"<mtrec.Interactions: {len(self)} interactions, {self.num_users} users x "
                f"{self.num_items} items>")

    @property
    def num_users(self) -> int:
        """Rows of the user table (ids numbered densely, or max raw id + 1)."""
        return self._data.num_users

    @property
    def num_items(self) -> int:
        """Rows of the item table."""
        return self._data.num_items

    def _id_array(self, which: str) -> np.ndarray:
        if which not in self._ids:
            self._ids[which] = getattr(self._data, which)
        return self._ids[which]

    @property
    def users(self) -> np.ndarray:
        """The user id of every interaction (the data's own ids)."""
        return self._id_array("user_ids")[self._data.user_rows]

    @property
    def items(self) -> np.ndarray:
        """The item id of every interaction."""
        return self._id_array("item_ids")[self._data.item_rows]

    @property
    def ratings(self) -> np.ndarray:
        """The rating of every interaction (float32; 1 for implicit data)."""
        return self._data.ratings

    @property
    def timestamps(self) -> np.ndarray:
        """The timestamp of every interaction (int64; empty if the data has none)."""
        return self._data.timestamps

    @property
    def user_rows(self) -> np.ndarray:
        """The table row of every interaction's user (int32)."""
        return self._data.user_rows

    @property
    def item_rows(self) -> np.ndarray:
        """The table row of every interaction's item (int32)."""
        return self._data.item_rows

    @property
    def item_titles(self) -> List[str]:
        """Titles by item row (MovieLens sets; empty when the data has none)."""
        return self._data.item_titles

    def title(self, item_id: Any) -> str:
        """The title of an item, or "" when unknown."""
        item_id = _id("item_id", item_id)
        titles = self.item_titles
        ids = self._id_array("item_ids")
        text_for_ints = isinstance(item_id, str) and ids.dtype.kind in "iu"
        rows = np.zeros(0, np.int64) if text_for_ints else np.flatnonzero(ids == item_id)
        if len(rows) == 0:
            raise KeyError(f"item id {item_id!r} is not in the data")
        return titles[rows[0]] if rows[0] < len(titles) else ""

    def to_pandas(self) -> Any:
        """The interactions as a pandas DataFrame (user, item, rating[, timestamp])."""
        import pandas as pd
        columns = {"user": self.users, "item": self.items, "rating": self.ratings}
        if len(self.timestamps) == len(self):
            columns["timestamp"] = self.timestamps
        return pd.DataFrame(columns)


def load_dataset(dataset: str = "ml-100k", data_dir: Optional[str] = None, *,
                 format: Optional[str] = None, columns: Optional[str] = None,
                 remap_ids: Optional[bool] = None, duplicates: str = "keep",
                 threads: int = 0) -> Interactions:
    """Reads a data set as ``mtrec train --dataset`` does.

    ``dataset`` is a MovieLens name (ml-100k, ml-1m, ..., downloaded into
    ``data_dir`` on first use; default $MTREC_DATA_DIR, else ~/.cache/mtrec),
    a ratings file, a folder holding one, or a MovieLens zip. ``format`` and
    ``columns`` are the CLI's ``--format``/``--columns`` (auto-detected when
    None); ``remap_ids`` True numbers ids densely, False uses integer ids as
    rows (None: raw for MovieLens, dense otherwise); ``duplicates`` is keep,
    first, last or error.
    """
    return Interactions._wrap(_mtrec.load_dataset(
        _path("dataset", dataset), data_dir=_optional(_path)("data_dir", data_dir),
        format=_optional(_str)("format", format), columns=_optional(_str)("columns", columns),
        remap_ids=_optional(_bool)("remap_ids", remap_ids),
        duplicates=_str("duplicates", duplicates), threads=_int("threads", threads)))


def load_split(train_path: str, test_path: str, validation_path: Optional[str] = None,
               data_dir: Optional[str] = None, *, format: Optional[str] = None,
               columns: Optional[str] = None, remap_ids: Optional[bool] = None,
               duplicates: str = "keep", threads: int = 0
               ) -> Tuple[Interactions, Optional[Interactions], Interactions]:
    """Reads a predefined split as ``mtrec train --train --test [--validation]`` does.

    Returns ``(train, validation, test)`` (``validation`` None without
    ``validation_path``), every part in one id space: the training file's ids
    first, then the new ones of the validation and test files. The other
    arguments are :func:`load_dataset`'s, applied to every file. A user or item
    of the test or validation file only has a row that training never moves; it
    is ranked as the original's random split ranks such rows. A model created
    from ``train`` records the files and reads them again when loaded.
    """
    train, validation, test = _mtrec.load_split(
        _path("train_path", train_path), _path("test_path", test_path),
        validation_path=_optional(_path)("validation_path", validation_path),
        data_dir=_optional(_path)("data_dir", data_dir),
        format=_optional(_str)("format", format), columns=_optional(_str)("columns", columns),
        remap_ids=_optional(_bool)("remap_ids", remap_ids),
        duplicates=_str("duplicates", duplicates), threads=_int("threads", threads))
    return (Interactions._wrap(train),
            None if validation is None else Interactions._wrap(validation),
            Interactions._wrap(test))


def random_train_test_split(data: Interactions, test_fraction: float = 0.05,
                            seed: int = 123) -> Tuple[Interactions, Interactions]:
    """The original's split (Spotlight's random_train_test_split, RandomState(seed)).

    Rows are shuffled by numpy's legacy Fisher-Yates; the first
    int((1 - test_fraction) * n) are train, the rest test. Both parts keep the
    data set's ids and table sizes.
    """
    train, test = _mtrec.split(_data("data", data), _float("test_fraction", test_fraction),
                               _int("seed", seed, 0, _UINT32_MAX))
    return Interactions._wrap(train), Interactions._wrap(test)


_TABLE_HEADER = ("epoch factorization  train_mse      joint  test_mrr  test_mse", "  train_s  eval_s")


def _table_row(e: Dict[str, Any]) -> str:
    """One epoch as a row of the CLI's table."""
    row = (f"{e['epoch']:5d} {e['factorization_loss']:13.6f} {e['regression_loss']:10.6f} "
           f"{e['joint_loss']:10.6f} {e.get('mrr', float('nan')):9.6f} "
           f"{e.get('mse', float('nan')):9.6f}")
    if "val_mrr" in e:
        row += f" {e['val_mrr']:9.6f} {e['val_mse']:9.6f}"
    return row + f" {e['train_seconds']:8.3f} {e['eval_seconds']:7.3f}"


#: MultitaskModel's keyword arguments as (keyword, default, type, doc), from
#: the library's configuration schema (include/mtrec/config_schema.h): the
#: defaults are the library's and the CLI's.
_CONFIG_FIELDS: List[Tuple[str, Any, str, str]] = [tuple(f) for f in _mtrec.config_fields()]

def _ints(name: str, value: Any) -> Tuple[int, ...]:
    """A non-str iterable of integers (layers), as a tuple."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name}: expected a sequence of integers, got {_type_of(value)}")
    return tuple(_int(name, w, None, None) for w in value)


#: The check of a configuration keyword by its schema type. Integers are only
#: type-checked here: the engine checks them against the schema's range (and
#: the C++ type's) before any cast.
_CHECK: Dict[str, Callable[[str, Any], Any]] = {
    "int": lambda name, value: _int(name, value, None, None),
    "float": _float, "bool": _bool, "str": _str, "ints": _ints}


def _config_from(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """MultitaskModel's arguments: each given one converted to its type, the rest defaults."""
    known = {keyword for keyword, _, _, _ in _CONFIG_FIELDS}
    for keyword in kwargs:
        if keyword not in known:
            raise TypeError(f"MultitaskModel() got an unexpected keyword argument {keyword!r}")
    config: Dict[str, Any] = {}
    for keyword, default, kind, _ in _CONFIG_FIELDS:
        value = kwargs.get(keyword, default)
        # None is the default only where the library derives the value.
        config[keyword] = None if value is None and default is None else _CHECK[kind](keyword,
                                                                                   value)
    return config


def _args_doc() -> str:
    """The Args section of MultitaskModel's docstring, from the schema."""
    lines = ["    Args (keyword only; the default after the name):"]
    for keyword, default, _, doc in _CONFIG_FIELDS:
        lines.append(f"        {keyword} = {default!r}: {doc}.")
    return "\n".join(lines)


# Serialises the creation of a MultitaskModel's engine by its first fit; the
# engine then refuses overlapping fits itself ("model is busy").
_CREATE_LOCK = threading.Lock()

class MultitaskModel:
    """The multitask model: BPR matrix factorisation and an MLP rating regression.

    ``MultitaskModel(**config)`` takes the keyword arguments below (those of
    ``mtrec train``'s flags; ``layers`` is ``--layers``, ``device`` the
    backend). learning_rate None is the optimizer's default (1e-3 for Adam).
    The model's tables are made at the first :meth:`fit`, from the data set
    the training data belongs to.

{args}
    """

    def __init__(self, **config: Any) -> None:
        config = _config_from(config)
        device = config["device"]
        if device not in devices():
            why = ("this build has no CUDA backend (rebuild with -DMTREC_CUDA=ON)"
                   if device == "cuda" else f"unknown device {device!r}")
            raise ValueError(f"device: {why} (this build has: {', '.join(devices())})")
        self._config: Dict[str, Any] = config
        _mtrec.check_config(**self._config)
        self._model: Any = None
        self._ids: Dict[str, np.ndarray] = {}

    @classmethod
    def _wrap(cls, model: Any) -> "MultitaskModel":
        self = cls.__new__(cls)
        self._config = dict(model.config())
        self._model = model
        self._ids = {}
        return self

    __reduce_ex__ = _not_picklable("MultitaskModel", "use save() and mtrec.load()")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        state = "not fitted" if self._model is None else f"{len(self.history)} epochs"
        return f"<mtrec.MultitaskModel({args}): {state}>"

    @property
    def config(self) -> Dict[str, Any]:
        """The model's configuration (the constructor's arguments)."""
        return dict(self._config)

    def _fitted(self) -> Any:
        if self._model is None:
            raise Error("the model has not been fitted: call fit() first (or mtrec.load())")
        return self._model

    def fit(self, train: Interactions, epochs: int = 1, test: Optional[Interactions] = None,
            validation: Optional[Interactions] = None,
            callback: Optional[Callable[[Dict[str, Any]], Optional[bool]]] = None,
            verbose: bool = False, max_steps: int = 0, early_stopping: Optional[str] = None,
            patience: int = _mtrec.field_default("patience"),
            rating_epochs: int = 0) -> List[Dict[str, Any]]:
        """Trains for ``epochs`` epochs and returns their history.

        Each epoch is a dict with the keys of the CLI's metrics.jsonl (epoch,
        factorization_loss, regression_loss, joint_loss, mrr, mse, mrr_users
        when ``test`` is given, val_mrr and val_mse with ``validation``,
        train_seconds, eval_seconds). A second fit continues the same
        training stream, so two fits of N epochs give one fit of 2N.
        ``callback(epoch_dict)`` runs after every epoch; returning False stops
        training. ``verbose`` prints the CLI's table, one row per epoch.
        Ctrl-C stops after the optimiser step in progress and raises
        KeyboardInterrupt; the model stays usable and a later fit finishes
        the interrupted epoch. ``max_steps`` > 0 stops once the model has taken
        that many optimiser steps in all.

        ``early_stopping`` ("mrr", "mse" or "per_head"; needs ``validation``;
        None or "none": off)
        stops once the validation metric has not improved for ``patience``
        epochs and leaves the model with the best epoch's weights (see
        :attr:`best_epoch`); "per_head" (separate embeddings) keeps the
        ranking head's weights of the best-MRR epoch and the rating head's of
        the best-MSE epoch, and stops when neither improves, as the CLI's
        ``--early_stopping per_head``. A fit stopped by ``callback`` also ends
        with the best weights; one stopped by Ctrl-C or ``max_steps`` keeps
        the last step's. A later fit trains on from the restored weights (the
        stream, optimiser state and epoch numbers go on from the last epoch).
        The CLI's ``--recipe mtrec`` is::

            model = mtrec.MultitaskModel(shared_embeddings=False, rating_biases=True,
                                         rating_l2=L, negatives=5,
                                         factorization_weight=0.5, regression_weight=0.5)
            model.fit(train, 200, validation=val, early_stopping="per_head", patience=30)

        with ``train, val = mtrec.random_train_test_split(train_rows, 0.05, seed=321)``
        and L chosen among 1, 10 and 30 on validation (docs/python.md: the recipe
        from Python).

        ``rating_epochs`` > 0 (separate embeddings, not with early stopping):
        ``epochs`` is the ranking head's count and this the rating head's; the
        fit trains the larger and ends with each head's weights after its own
        count. The recipe's refit (the CLI's ``--refit``) is then a fresh
        model's ``fit(train_rows, model.best_epoch,
        rating_epochs=model.best_rating_epoch)``.
        """
        train_data = _data("train", train)
        test_data = _optional(_data)("test", test)
        validation_data = _optional(_data)("validation", validation)
        epochs = _int("epochs", epochs)
        callback = _optional(_callable)("callback", callback)
        verbose = _bool("verbose", verbose)
        max_steps = _int("max_steps", max_steps, 0, _INT64_MAX)
        early_stopping = _optional(_str)("early_stopping", early_stopping)
        patience = _int("patience", patience, 1)
        rating_epochs = _int("rating_epochs", rating_epochs)
        with _CREATE_LOCK:  # two first fits in two threads make one model, not two
            if self._model is None:
                self._model = _mtrec.Model.create(train_data, **self._config)
                self._ids = {}
        if verbose:
            has_val = validation is not None
            print(_TABLE_HEADER[0] + ("   val_mrr   val_mse" if has_val else "")
                  + _TABLE_HEADER[1], flush=True)

        def on_epoch(epoch: Dict[str, Any]) -> bool:
            if verbose:
                print(_table_row(epoch), flush=True)
            if callback is None:
                return True
            return callback(epoch) is not False

        return self._model.fit(train_data, epochs, test_data, validation_data, on_epoch,
                               max_steps, early_stopping, patience, rating_epochs)

    @property
    def best_epoch(self) -> Optional[int]:
        """With early stopping, the epoch whose weights the last fit left in the
        model ("per_head": the ranking head's), numbered as in :attr:`history`
        (epochs of earlier fits included); else None."""
        epoch = 0 if self._model is None else self._model.best_epoch
        return epoch if epoch > 0 else None

    @property
    def best_rating_epoch(self) -> Optional[int]:
        """With ``early_stopping="per_head"``, the epoch of the rating head's
        weights after the last fit; else None."""
        epoch = 0 if self._model is None else self._model.best_rating_epoch
        return epoch if epoch > 0 else None

    @property
    def history(self) -> List[Dict[str, Any]]:
        """Every epoch trained so far (a loaded model's included), as fit returns them."""
        return [] if self._model is None else self._model.history

    def evaluate(self, test: Interactions, metrics: Optional[Iterable[str]] = None, k: int = 10,
                 train: Optional[Interactions] = None) -> Dict[str, float]:
        """Test metrics as ``mtrec evaluate`` computes them.

        mrr and mse are the original's (MRR on full rankings with the
        training items ranked last); rmse and mae of the rating head;
        precision, recall, ndcg and hit_rate at ``k`` and auc on full rankings
        without the training items. ``train`` is the data whose items are
        excluded (default: the last fit's training data and its validation
        data, whose items the users have too). ``metrics`` selects keys
        (default: all of :data:`METRICS`).
        """
        test_data = _data("test", test)
        wanted = _metric_names("metrics", metrics)
        k = _int("k", k, 1)
        train_data = _optional(_data)("train", train)
        result = self._fitted().evaluate(test_data, train_data, k)
        return {m: result[m] for m in wanted}

    def _item_ids(self) -> np.ndarray:
        if "items" not in self._ids:
            self._ids["items"] = self._fitted().item_ids
        return self._ids["items"]

    def _items_of(self, rows: np.ndarray) -> np.ndarray:
        """Item ids of table rows; -1 (int ids) or None (str ids) for row -1."""
        ids = self._item_ids()
        out = ids[np.maximum(rows, 0)]
        missing = rows < 0
        if missing.any():
            out[missing] = -1 if ids.dtype.kind in "iu" else None
        return out

    def recommend(self, user_ids: Ids, k: int = 10,
                  exclude_seen: bool = True) -> Tuple[np.ndarray, np.ndarray]:
        """The k best items for each user, best first.

        ``user_ids`` is one id (results of shape (k,)) or a sequence (shape
        (n, k)). Returns (item ids, factorisation scores); where fewer than k
        items are left the row ends with -1 (None for str ids) and NaN.
        Items are those of the interactions the model knows (what the last
        fit was given: its training, validation and test data; a loaded
        model's recorded data set; or set_known_interactions'); with
        exclude_seen each user's own items there are left out. Unknown users
        raise KeyError.
        """
        k, exclude_seen = _int("k", k, 1), _bool("exclude_seen", exclude_seen)
        rows, scores, scalar = self._fitted().recommend(user_ids, k, exclude_seen)
        items = self._items_of(rows)
        return (items[0], scores[0]) if scalar else (items, scores)

    def predict(self, user_ids: Ids, item_ids: Ids) -> Tuple[np.ndarray, np.ndarray]:
        """(predicted ratings, factorisation scores) for the pairs (user_ids[k], item_ids[k])."""
        ratings, scores, scalar = self._fitted().predict(user_ids, item_ids)
        return (ratings[0], scores[0]) if scalar else (ratings, scores)

    def recommend_for_ratings(self, ratings: Any, k: int = 10, steps: int = 300,
                              learning_rate: float = 0.05, l2: float = 0.01,
                              seed: int = 42) -> Tuple[np.ndarray, np.ndarray]:
        """Recommendations for a new user from their ratings ({item_id: rating}).

        Fold-in: an embedding for the user fitted against the frozen model
        (``steps`` Adam steps at ``learning_rate``, penalty l2 * |u|^2); the
        rated items are excluded. Returns (item ids, scores) of shape (k,).
        """
        item_ids, values = _rating_pairs("ratings", ratings)
        rows, scores = self._fitted().recommend_for_ratings(
            item_ids, values, _int("k", k, 1), _int("steps", steps, 1),
            _float("learning_rate", learning_rate), _float("l2", l2),
            _int("seed", seed, 0, _UINT32_MAX))
        return self._items_of(rows), scores

    def similar_items(self, item: Any, k: int = 10) -> Tuple[np.ndarray, np.ndarray]:
        """The k items most like ``item`` (one id), best first.

        Similarity is the cosine of the items' rows in the ranking head's
        item embedding (:attr:`item_embeddings`); ties go to the lower table
        row, as in recommend. Candidates are the items of the interactions
        the model knows (see :meth:`recommend`), ``item`` itself excluded.
        Returns (item ids, similarities) of shape (m,), m <= k. An unknown
        item raises KeyError.
        """
        rows, similarity = self._fitted().similar_items(_id("item", item), _int("k", k, 1))
        return self._items_of(rows), similarity

    def build_index(self, m: int = 16, ef_construction: int = 100, ef_search: int = 200,
                    seed: int = 100) -> Dict[str, Any]:
        """Builds the approximate (HNSW) item index :meth:`recommend` then
        answers from: faster on large catalogs, recall below 1, the user's own
        items still excluded exactly and the scores exact (docs/serving.md).
        Deterministic (one thread, item order, ``seed``); fit drops it.
        Returns :meth:`index_info`."""
        return dict(self._fitted().build_index(_int("m", m, 2, 1024),
                                               _int("ef_construction", ef_construction, 1),
                                               _int("ef_search", ef_search, 1),
                                               _int("seed", seed, 0)))

    def drop_index(self) -> None:
        """Drops the index: :meth:`recommend` is exact again."""
        self._fitted().drop_index()

    def index_info(self) -> Dict[str, Any]:
        """The built index (kind, m, ef_construction, ef_search, seed, items,
        build_seconds, memory_bytes); empty when there is none."""
        return dict(self._fitted().index_info())

    def set_known_interactions(self, data: Interactions) -> None:
        """Which items recommend offers and excludes (fit sets them; a loaded model needs them)."""
        self._fitted().set_known_interactions(_data("data", data))

    def save(self, path: str, overwrite: bool = False) -> None:
        """Writes the checkpoint (the CLI's format: ``mtrec evaluate/recommend`` read it).

        Written to a new temporary file (an unpredictable name) and renamed. An
        existing regular file is replaced only with ``overwrite=True``
        (``FileExistsError`` otherwise), like ``mtrec train --save``; a symbolic
        link, a folder, a FIFO or a device at ``path`` is never replaced
        (``ValueError``).
        """
        path, overwrite = _path("path", path), _bool("overwrite", overwrite)
        self._fitted().save(path, overwrite)

    def parameters(self) -> Dict[str, np.ndarray]:
        """Copies of every weight tensor, named as PyTorch's state_dict (U, Q, B, mlp_layers.0.weight, ...)."""
        return self._fitted().parameters()

    def _factorization_table(self, shared: str, separate: str) -> np.ndarray:
        params = self.parameters()
        return params[shared] if shared in params else params[separate]

    @property
    def user_embeddings(self) -> np.ndarray:
        """The factorisation head's user embeddings, (num_users, ranking_dim, or
        embedding_dim when ranking_dim is 0), a copy."""
        return self._factorization_table("U", "U_fact")

    @property
    def item_embeddings(self) -> np.ndarray:
        """The factorisation head's item embeddings, (num_items, ranking_dim, or
        embedding_dim when ranking_dim is 0), a copy."""
        return self._factorization_table("Q", "Q_fact")

    @property
    def item_biases(self) -> np.ndarray:
        """The item biases, (num_items,), a copy."""
        return self.parameters()["B"].reshape(-1)

    @property
    def user_ids(self) -> np.ndarray:
        """The user id of every table row."""
        return self._fitted().user_ids

    @property
    def item_ids(self) -> np.ndarray:
        """The item id of every table row."""
        return self._item_ids()


def load(path: str, threads: int = 0, *, dataset: Optional[str] = None,
         data_dir: Optional[str] = None) -> MultitaskModel:
    """A model saved by :meth:`MultitaskModel.save` or ``mtrec train --save``.

    It continues training with fit, and recommends as ``mtrec recommend
    --model`` does: among the items of the data set recorded in the
    checkpoint, each user's own items there excluded. That data set is read
    on the first recommend (from ``dataset``/``data_dir`` if it moved; it must
    be the data trained on); :meth:`MultitaskModel.set_known_interactions`
    sets other known interactions instead. A missing file raises
    FileNotFoundError, a corrupt one :class:`Error`.
    """
    path, threads = _path("path", path), _int("threads", threads)
    dataset = _optional(_path)("dataset", dataset) or ""
    data_dir = _optional(_path)("data_dir", data_dir) or ""
    return MultitaskModel._wrap(_mtrec.Model.load(path, threads, dataset, data_dir))


MultitaskModel.__doc__ = (MultitaskModel.__doc__ or "").format(args=_args_doc())
MultitaskModel.__init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(keyword, inspect.Parameter.KEYWORD_ONLY, default=default)
       for keyword, default, _, _ in _CONFIG_FIELDS])
