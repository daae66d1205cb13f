"""Faithful PyTorch re-implementation of the original multitask recommender.

The original is rileydrizzy/multitask_recsys (src/models.py, multitask.py,
losses.py, evaluation.py, utils.py, dataset.py), i.e. the CS330 2023/24 HW0
with batch size 1024.  This module keeps the original's code structure
(parameter creation order, one lookup per table per forward, the order of the
RNG draws, the loss expressions, the evaluation loop) so that, seeded
identically (torch.manual_seed(S) before building the net, training
np.random.RandomState(S)) and run single-threaded, it reproduces the original
bit for bit.  See docs/semantics.md for the semantics.

Additions over the original (all off by default, none changes the default
arithmetic):
  * user_bias: the 2022 variant's user bias A (ZeroEmbedding(num_users, 1),
    created after B); predictions = (u.q + B[i]) + A[u].
  * bpr='log': mean(-logsigmoid(pos - neg)) instead of the original's
    mean(1 - sigmoid(pos - neg)).
  * embedding_dim / layer_sizes / batch_size / lr / l2 are plumbed through.
  * hooks: step_hook(model, info) is called after backward and before
    optimizer.step(); the epoch permutation is kept in model.last_epoch_perm.
  * mrr_score_fast: a batched MRR with results identical to mrr_score.

Import this module before anything else imports torch/numpy if you want the
single-thread settings below to take effect (OpenBLAS reads its pool size at
load time; torch.set_num_threads does not control it).
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.stats as st  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.optim as optim  # noqa: E402

torch.set_num_threads(1)

FLOAT_MAX = np.finfo(np.float32).max


# --------------------------------------------------------------------------
# Data (dataset.py)
# --------------------------------------------------------------------------


def _index_or_none(array, index):
    return None if array is None else array[index]


class Interactions:
    """User-item interactions (the subset of dataset.Interactions used here).

    Dtypes follow the original's HDF5 file: user/item ids int32, ratings
    float32, timestamps int32.  num_users/num_items default to max id + 1.
    """

    def __init__(self, user_ids, item_ids, ratings=None, timestamps=None,
                 num_users=None, num_items=None):
        self.num_users = num_users or int(user_ids.max() + 1)
        self.num_items = num_items or int(item_ids.max() + 1)
        self.user_ids = user_ids
        self.item_ids = item_ids
        self.ratings = ratings
        self.timestamps = timestamps
        if self.user_ids.max() >= self.num_users:
            raise ValueError("Maximum user id greater than declared number of users.")
        if self.item_ids.max() >= self.num_items:
            raise ValueError("Maximum item id greater than declared number of items.")
        for name, value in (("item IDs", item_ids), ("ratings", ratings),
                            ("timestamps", timestamps)):
            if value is not None and len(value) != len(user_ids):
                raise ValueError(f"Invalid {name} dimensions")

    def __len__(self):
        return len(self.user_ids)

    def __repr__(self):
        return (f"<Interactions ({self.num_users} users x {self.num_items} items"
                f" x {len(self)} interactions)>")

    def subset(self, index):
        """Rows `index` (slice or index array), keeping num_users/num_items."""
        return Interactions(
            self.user_ids[index], self.item_ids[index],
            ratings=_index_or_none(self.ratings, index),
            timestamps=_index_or_none(self.timestamps, index),
            num_users=self.num_users, num_items=self.num_items)

    def tocoo(self):
        data = self.ratings if self.ratings is not None else np.ones(len(self))
        return sp.coo_matrix((data, (self.user_ids, self.item_ids)),
                             shape=(self.num_users, self.num_items))

    def tocsr(self):
        # coo -> csr sums duplicate (user, item) pairs, so a duplicated pair
        # appears once in a row's .indices (sorted ascending).
        return self.tocoo().tocsr()


def load_udata(path):
    """Read a MovieLens u.data-style file: `user item rating timestamp` per
    line, TAB or whitespace separated (a 3-column file gets timestamps 0).
    num_users/num_items = max id + 1 over the whole file (raw 1-based ids, so
    row 0 of every table is a phantom entity)."""
    rows = np.loadtxt(path, dtype=np.float64, ndmin=2)
    users = rows[:, 0].astype(np.int32)
    items = rows[:, 1].astype(np.int32)
    ratings = rows[:, 2].astype(np.float32)
    if rows.shape[1] > 3:
        timestamps = rows[:, 3].astype(np.int64).astype(np.int32)
    else:
        timestamps = np.zeros(len(users), dtype=np.int32)
    return Interactions(users, items, ratings, timestamps)


def random_train_test_split(interactions, test_fraction=0.2, random_state=None):
    """dataset.Interactions.random_train_test_split: legacy RandomState(123)
    shuffle of arange(n), cutoff = int((1.0 - test_fraction) * n) in double."""
    if random_state is None:
        random_state = np.random.RandomState(seed=123)
    shuffle_indices = np.arange(len(interactions))
    random_state.shuffle(shuffle_indices)
    shuffled = interactions.subset(shuffle_indices)
    cutoff = int((1.0 - test_fraction) * len(shuffled))
    return shuffled.subset(slice(None, cutoff)), shuffled.subset(slice(cutoff, None))


# --------------------------------------------------------------------------
# utils.py
# --------------------------------------------------------------------------


def shuffle_indices(n, random_state):
    """The permutation utils.shuffle applies: arange(n) shuffled in place by
    the legacy Fisher-Yates of RandomState.shuffle."""
    idx = np.arange(n)
    random_state.shuffle(idx)
    return idx


def shuffle(arrays, random_state=None):
    """utils.shuffle; also returns the permutation (same RNG consumption)."""
    if len(set(len(x) for x in arrays)) != 1:
        raise ValueError("All inputs to shuffle must have the same length.")
    if random_state is None:
        random_state = np.random.RandomState(seed=123)
    idx = shuffle_indices(len(arrays[0]), random_state)
    return idx, tuple(x[idx] for x in arrays)


def minibatch(tensors, batch_size=128):
    """Consecutive slices [k*bs, (k+1)*bs); the last one may be partial."""
    for i in range(0, len(tensors[0]), batch_size):
        yield [x[i:i + batch_size] for x in tensors]


def process_ids(user_ids, item_ids, num_items):
    """utils.process_ids (CPU only): a scalar user is expanded over all items."""
    if item_ids is None:
        item_ids = np.arange(num_items, dtype=np.int64)
    if np.isscalar(user_ids):
        user_ids = np.array(user_ids, dtype=np.int64)
    user_ids = torch.from_numpy(user_ids.reshape(-1, 1).astype(np.int64))
    item_ids = torch.from_numpy(item_ids.reshape(-1, 1).astype(np.int64))
    if item_ids.size()[0] != user_ids.size(0):
        user_ids = user_ids.expand(item_ids.size())
    return user_ids.squeeze(), item_ids.squeeze()


def assert_no_grad(variable):
    if variable.requires_grad:
        raise ValueError("nn criterions don't compute the gradient w.r.t. targets")


# --------------------------------------------------------------------------
# models.py
# --------------------------------------------------------------------------


class ScaledEmbedding(nn.Embedding):
    """Embedding initialised with normal(0, std = 1/embedding_dim)."""

    def reset_parameters(self):
        self.weight.data.normal_(0, 1.0 / self.embedding_dim)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx].fill_(0)


class ZeroEmbedding(nn.Embedding):
    """Embedding initialised to zero (biases)."""

    def reset_parameters(self):
        self.weight.data.zero_()
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx].fill_(0)


class MultiTaskNet(nn.Module):
    """models.MultiTaskNet.

    Parameters are created in the original's order, which fixes the torch RNG
    consumption: shared: U, Q, B, [A], mlp_layers; separate: U_reg, Q_reg,
    U_fact, Q_fact, B, [A], mlp_layers.  layer_sizes is the original's list
    (first entry must be 3 * embedding_dim): Linear(l0,l1), ReLU, ...,
    Linear(l_last, 1).
    """

    def __init__(self, num_users, num_items, embedding_dim=32, layer_sizes=None,
                 embedding_sharing=True, user_bias=False):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.embedding_sharing = embedding_sharing
        self.user_bias = user_bias

        if embedding_sharing:
            self.U = ScaledEmbedding(num_users, embedding_dim)
            self.Q = ScaledEmbedding(num_items, embedding_dim)
        else:
            self.U_reg = ScaledEmbedding(num_users, embedding_dim)
            self.Q_reg = ScaledEmbedding(num_items, embedding_dim)
            self.U_fact = ScaledEmbedding(num_users, embedding_dim)
            self.Q_fact = ScaledEmbedding(num_items, embedding_dim)

        self.B = ZeroEmbedding(num_items, 1)
        if user_bias:
            self.A = ZeroEmbedding(num_users, 1)

        if layer_sizes is None:
            layer_sizes = [3 * embedding_dim, 64]  # [96, 64] for dim 32
        if layer_sizes[0] != 3 * embedding_dim:
            raise ValueError("layer_sizes[0] must be 3 * embedding_dim")
        layers = []
        for i in range(len(layer_sizes) - 1):
            layers.append(nn.Linear(layer_sizes[i], layer_sizes[i + 1]))
            layers.append(nn.ReLU())
        layers.append(nn.Linear(layer_sizes[-1], 1))
        self.mlp_layers = nn.Sequential(*layers)

    def forward(self, user_ids, item_ids):
        if self.embedding_sharing:
            predictions, score = self.forward_with_embedding_sharing(user_ids, item_ids)
        else:
            predictions, score = self.forward_without_embedding_sharing(user_ids, item_ids)
        if (len(predictions.shape) > 1) or (len(score.shape) > 1):
            raise ValueError("Check your shapes!")
        return predictions, score

    def _factorization_head(self, user_emb, item_emb, user_ids, item_ids):
        predictions = torch.sum(user_emb * item_emb, dim=1, keepdim=True) + self.B(item_ids)
        if self.user_bias:
            predictions = predictions + self.A(user_ids)
        return predictions.view(-1)

    def forward_with_embedding_sharing(self, user_ids, item_ids):
        # Each table is looked up ONCE and the rows feed both heads (as in the
        # original): the heads' gradients are summed on the looked-up rows
        # before the embedding backward, which fixes the float rounding.
        users_shared_emb = self.U(user_ids)
        items_shared_emb = self.Q(item_ids)
        reg_input = torch.cat(
            [users_shared_emb, items_shared_emb, users_shared_emb * items_shared_emb], dim=1)
        score = self.mlp_layers(reg_input).squeeze()
        predictions = self._factorization_head(users_shared_emb, items_shared_emb,
                                               user_ids, item_ids)
        return predictions, score

    def forward_without_embedding_sharing(self, user_ids, item_ids):
        users_reg_emb = self.U_reg(user_ids)
        items_reg_emb = self.Q_reg(item_ids)
        users_fact_emb = self.U_fact(user_ids)
        items_fact_emb = self.Q_fact(item_ids)
        reg_input = torch.cat(
            [users_reg_emb, items_reg_emb, users_reg_emb * items_reg_emb], dim=1)
        score = self.mlp_layers(reg_input).squeeze()
        predictions = self._factorization_head(users_fact_emb, items_fact_emb,
                                               user_ids, item_ids)
        return predictions, score

    def factorization_scores(self, user_ids, item_ids):
        """The factorisation head alone (same ops as forward's `predictions`).
        Used by the batched MRR; the MLP output is never needed there."""
        if self.embedding_sharing:
            u, q = self.U(user_ids), self.Q(item_ids)
        else:
            u, q = self.U_fact(user_ids), self.Q_fact(item_ids)
        return self._factorization_head(u, q, user_ids, item_ids)


def short_param_name(state_dict_key):
    """'U.weight' -> 'U' (embeddings and biases); MLP keys stay
    'mlp_layers.K.weight' / 'mlp_layers.K.bias'."""
    if state_dict_key.startswith("mlp_layers."):
        return state_dict_key
    assert state_dict_key.endswith(".weight"), state_dict_key
    return state_dict_key[: -len(".weight")]


def param_matrix_shape(state_dict_key, tensor):
    """(rows, cols) of the manifest: embeddings [n, dim], biases B/A [n, 1],
    Linear weight [out, in], Linear bias [out, 1]."""
    if tensor.dim() == 1:
        return tensor.shape[0], 1
    return tensor.shape[0], tensor.shape[1]


def named_params(net):
    """[(short name, parameter)] in state_dict order."""
    params = dict(net.named_parameters())
    return [(short_param_name(k), params[k]) for k in net.state_dict().keys()]


# --------------------------------------------------------------------------
# losses.py
# --------------------------------------------------------------------------


def bpr_loss(positive_predictions, negative_predictions, mask=None, kind="sigmoid"):
    """'sigmoid' (the original): mean(1 - sigmoid(pos - neg)).
    'log' (textbook BPR): mean(-logsigmoid(pos - neg)).
    The mean is computed as in the original: (loss * mask).sum() / mask.sum()."""
    if kind == "sigmoid":
        loss = 1.0 - torch.sigmoid(positive_predictions - negative_predictions)
    elif kind == "log":
        loss = -F.logsigmoid(positive_predictions - negative_predictions)
    else:
        raise ValueError(f"unknown bpr loss kind {kind!r}")
    if mask is None:
        mask = torch.ones_like(loss)
    mask = mask.float()
    loss = loss * mask
    return loss.sum() / mask.sum()


def regression_loss(observed_ratings, predicted_ratings):
    assert_no_grad(observed_ratings)
    return ((observed_ratings - predicted_ratings) ** 2).mean()


# --------------------------------------------------------------------------
# multitask.py
# --------------------------------------------------------------------------


class MultitaskModel:
    """multitask.MultitaskModel (CPU).

    step_hook(model, info), if set, is called once per minibatch after
    loss.backward() and before optimizer.step(); info has keys
    step (global, 0-based), epoch (0-based fit() call count), batch,
    users, items, ratings, negatives (numpy), bpr, mse, joint (.item() floats).
    Gradients are in model._net's parameters' .grad at that point.
    """

    def __init__(self, interactions, factorization_weight=0.5, regression_weight=0.5,
                 embedding_dim=32, n_iter=1, batch_size=1024, l2=0.0, learning_rate=1e-3,
                 representation=None, random_state=None, bpr="sigmoid", step_hook=None):
        self._factorization_weight = factorization_weight
        self._regression_weight = regression_weight
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._learning_rate = learning_rate
        self._batch_size = batch_size
        self._l2 = l2
        self._random_state = random_state or np.random.RandomState()
        self._num_users, self._num_items = interactions.num_users, interactions.num_items
        self._bpr = bpr
        self._net = representation if representation is not None else MultiTaskNet(
            self._num_users, self._num_items, self._embedding_dim)
        self._optimizer = optim.Adam(self._net.parameters(), weight_decay=self._l2,
                                     lr=self._learning_rate)
        self.step_hook = step_hook
        self.global_step = 0
        self.epochs_done = 0
        self.last_epoch_perm = None
        self._last_negatives = None

    @property
    def net(self):
        return self._net

    def _check_input(self, user_ids, item_ids, allow_items_none=False):
        user_id_max = user_ids if isinstance(user_ids, int) else user_ids.max()
        if user_id_max >= self._num_users:
            raise ValueError("Maximum user id greater than number of users in model.")
        if allow_items_none and item_ids is None:
            return
        item_id_max = item_ids if isinstance(item_ids, int) else item_ids.max()
        if item_id_max >= self._num_items:
            raise ValueError("Maximum item id greater than number of items in model.")

    def fit(self, interactions):
        """One call = n_iter epochs (1).  Returns the unweighted means over
        batches of the per-batch .item() losses: (bpr, mse, joint)."""
        user_ids = interactions.user_ids.astype(np.int64)
        item_ids = interactions.item_ids.astype(np.int64)
        self._check_input(user_ids, item_ids)

        for _ in range(self._n_iter):
            # RNG order per epoch: one shuffle, then one randint per batch.
            perm, (users, items, ratings) = shuffle(
                [user_ids, item_ids, interactions.ratings], random_state=self._random_state)
            self.last_epoch_perm = perm

            user_ids_tensor = torch.from_numpy(users)
            item_ids_tensor = torch.from_numpy(items)
            ratings_tensor = torch.from_numpy(ratings)

            epoch_factorization_loss = []
            epoch_regression_loss = []
            epoch_loss = []

            for batch_index, (batch_user, batch_item, batch_ratings) in enumerate(minibatch(
                    [user_ids_tensor, item_ids_tensor, ratings_tensor],
                    batch_size=self._batch_size)):
                positive_prediction, score = self._net(batch_user, batch_item)
                # Negatives are drawn AFTER the positive forward (no torch RNG
                # is involved, but keep the order anyway).
                negative_prediction = self._get_negative_prediction(batch_user)

                self._optimizer.zero_grad()

                factorization_loss = bpr_loss(positive_prediction, negative_prediction,
                                              kind=self._bpr)
                epoch_factorization_loss.append(factorization_loss.item())

                regression_loss_value = regression_loss(batch_ratings, score)
                epoch_regression_loss.append(regression_loss_value.item())

                # The python-float weights multiply float32 tensors (computed in
                # float32 with the weight rounded to float32).
                loss = (self._factorization_weight * factorization_loss
                        + self._regression_weight * regression_loss_value)
                epoch_loss.append(loss.item())

                loss.backward()
                if self.step_hook is not None:
                    self.step_hook(self, dict(
                        step=self.global_step, epoch=self.epochs_done, batch=batch_index,
                        users=batch_user.numpy(), items=batch_item.numpy(),
                        ratings=batch_ratings.numpy(), negatives=self._last_negatives,
                        bpr=epoch_factorization_loss[-1], mse=epoch_regression_loss[-1],
                        joint=epoch_loss[-1]))
                self._optimizer.step()
                self.global_step += 1
            self.epochs_done += 1

        return (np.mean(epoch_factorization_loss), np.mean(epoch_regression_loss),
                np.mean(epoch_loss))

    def _get_negative_prediction(self, user_ids):
        # Uniform over ALL item ids including phantom item 0; no rejection of
        # the user's positives.
        negative_items = self._random_state.randint(
            0, self._num_items, len(user_ids), dtype=np.int64)
        self._last_negatives = negative_items
        negative_prediction, _ = self._net(user_ids, torch.from_numpy(negative_items))
        return negative_prediction

    def predict(self, user_ids, item_ids=None):
        """(factorisation predictions, regression scores) as float32 numpy."""
        self._check_input(user_ids, item_ids, allow_items_none=True)
        user_ids, item_ids = process_ids(user_ids, item_ids, self._num_items)
        positive_prediction, score = self._net(user_ids, item_ids)
        return (positive_prediction.detach().numpy().flatten(),
                score.detach().numpy().flatten())

    def factorization_score_matrix(self, user_ids, chunk_users=64):
        """float32 [len(user_ids), num_items] factorisation scores, the same
        values predict(u)[0] gives row by row (verified by the self-check)."""
        user_ids = np.asarray(user_ids, dtype=np.int64)
        out = np.empty((len(user_ids), self._num_items), dtype=np.float32)
        items = torch.arange(self._num_items, dtype=torch.int64)
        with torch.no_grad():
            for s in range(0, len(user_ids), chunk_users):
                chunk = user_ids[s:s + chunk_users]
                u = torch.from_numpy(np.repeat(chunk, self._num_items))
                i = items.repeat(len(chunk))
                scores = self._net.factorization_scores(u, i)
                out[s:s + len(chunk)] = scores.numpy().reshape(len(chunk), self._num_items)
        return out


# --------------------------------------------------------------------------
# evaluation.py
# --------------------------------------------------------------------------


def mrr_scores_per_user(model, test, train=None):
    """The original mrr_score loop, returning the per-user array (ascending
    user id, users with at least one test row only)."""
    test = test.tocsr()
    if train is not None:
        train = train.tocsr()
    mrrs = []
    for user_id, row in enumerate(test):
        if not len(row.indices):
            continue
        predictions, _ = model.predict(user_id)
        predictions *= -1.0
        if train is not None:
            predictions[train[user_id].indices] = FLOAT_MAX
        # rankdata: method 'average', 1-based.  row.indices: distinct test
        # items of the user (duplicates merged by tocsr).
        mrr = (1.0 / st.rankdata(predictions)[row.indices]).mean()
        mrrs.append(mrr)
    return np.array(mrrs)


def mrr_score(model, test, train=None):
    """evaluation.mrr_score: mean over users with test rows of the per-user
    mean reciprocal rank of their test items."""
    return mrr_scores_per_user(model, test, train).mean()


def mrr_from_score_matrix(score_fn, test, train=None, chunk_users=64, per_user=False):
    """Batched MRR with results identical to mrr_score.

    score_fn(user_ids) -> float32 [len(user_ids), num_items] factorisation
    scores.  Rank of a value x among a row under rankdata's 'average' method
    = #(values < x) + (#(values == x) + 1) / 2, exact in float64.
    """
    test_csr = test.tocsr()
    train_csr = train.tocsr() if train is not None else None
    counts = np.diff(test_csr.indptr)
    users = np.nonzero(counts)[0]
    mrrs = []
    for s in range(0, len(users), chunk_users):
        chunk = users[s:s + chunk_users]
        neg = score_fn(chunk).astype(np.float32, copy=True)
        neg *= -1.0
        if train_csr is not None:
            sub = train_csr[chunk]
            rows = np.repeat(np.arange(len(chunk)), np.diff(sub.indptr))
            neg[rows, sub.indices] = FLOAT_MAX
        sub_test = test_csr[chunk]
        rows = np.repeat(np.arange(len(chunk)), np.diff(sub_test.indptr))
        x = neg[rows, sub_test.indices]
        vals = neg[rows]  # [pairs, num_items]
        less = (vals < x[:, None]).sum(axis=1)
        equal = (vals == x[:, None]).sum(axis=1)
        ranks = less.astype(np.float64) + (equal.astype(np.float64) + 1.0) / 2.0
        for r in range(len(chunk)):
            a, b = sub_test.indptr[r], sub_test.indptr[r + 1]
            mrrs.append((1.0 / ranks[a:b]).mean())
    mrrs = np.array(mrrs)
    return mrrs if per_user else mrrs.mean()


def mrr_score_fast(model, test, train=None, chunk_users=64):
    return mrr_from_score_matrix(
        lambda users: model.factorization_score_matrix(users, chunk_users=len(users)),
        test, train, chunk_users=chunk_users)


def mse_score(model, test):
    """evaluation.mse_score: numpy float32 mean of (ratings - score)**2 over
    the test interactions (one forward over all test pairs)."""
    _, scores = model.predict(test.user_ids, test.item_ids)
    return ((test.ratings - scores) ** 2).mean()


# --------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------


class FixedScoreModel:
    """A fake model whose predict(user) returns a fixed score row (for MRR
    tests); factorization_score_matrix returns the rows."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float32)

    def predict(self, user_id, item_ids=None):
        return self.scores[user_id].copy(), None

    def factorization_score_matrix(self, user_ids, chunk_users=None):
        return self.scores[np.asarray(user_ids)].copy()


def self_check(verbose=True):
    """Fast MRR == original MRR (exactly) on small cases: a fixed tied score
    matrix and a briefly trained net in both embedding modes."""
    rs = np.random.RandomState(3)
    nu, ni = 9, 23
    scores = rs.choice(np.array([-1.0, 0.0, 0.5, 1.0, 2.0], dtype=np.float32), size=(nu, ni))
    train = Interactions(rs.randint(1, nu, 60).astype(np.int32), rs.randint(1, ni, 60).astype(np.int32),
                         np.ones(60, np.float32), num_users=nu, num_items=ni)
    test = Interactions(rs.randint(1, nu, 30).astype(np.int32), rs.randint(0, ni, 30).astype(np.int32),
                        np.ones(30, np.float32), num_users=nu, num_items=ni)
    fake = FixedScoreModel(scores)
    for tr in (train, None):
        slow, fast = mrr_score(fake, test, tr), mrr_score_fast(fake, test, tr, chunk_users=4)
        assert slow == fast, (slow, fast)

    for shared in (True, False):
        torch.manual_seed(1)
        net = MultiTaskNet(nu, ni, embedding_dim=8, layer_sizes=[24, 5], embedding_sharing=shared)
        model = MultitaskModel(train, representation=net, batch_size=16, learning_rate=0.05,
                               random_state=np.random.RandomState(1))
        model.fit(train)
        slow, fast = mrr_score(model, test, train), mrr_score_fast(model, test, train, chunk_users=3)
        assert slow == fast, (shared, slow, fast)
        for u in range(nu):
            assert np.array_equal(model.predict(u)[0], model.factorization_score_matrix([u])[0])
    if verbose:
        print("self-check passed: mrr_score_fast == mrr_score")


if __name__ == "__main__":
    self_check()
