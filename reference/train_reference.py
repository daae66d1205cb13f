#!/usr/bin/python3
"""Train the PyTorch reference on a u.data-style file and log per-epoch metrics.

Same pipeline as the original's src/main.py (RandomState(123) split, one
fit() per epoch, mrr_score + mse_score after every epoch), plus a seed and
the hyper-parameters the original hard-codes.  Seeding: torch.manual_seed(S)
right before the net is built, training RandomState(S).

Example:
  /usr/bin/python3 reference/train_reference.py --data /root/data/ml-100k/u.data \
      --epochs 200 --seed 0 --factorization_weight 0.99 --regression_weight 0.01 \
      --metrics_out run.jsonl
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import original_model as om  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="u.data-style file (user item rating timestamp)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no_shared_embeddings", dest="shared_embeddings", action="store_false",
                   help="separate embeddings for the two tasks (default: shared)")
    p.add_argument("--factorization_weight", type=float, default=0.995)
    p.add_argument("--regression_weight", type=float, default=0.005)
    p.add_argument("--batch_size", type=int, default=1024)
    p.add_argument("--embedding_dim", type=int, default=32)
    p.add_argument("--layers", type=str, default="64",
                   help="hidden widths of the regression MLP, comma-separated "
                        "(layer_sizes = [3*dim] + these)")
    p.add_argument("--learning_rate", type=float, default=1e-3)
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--bpr_loss", choices=["sigmoid", "log"], default="sigmoid")
    p.add_argument("--user_bias", action="store_true")
    p.add_argument("--test_fraction", type=float, default=0.05)
    p.add_argument("--metrics_out", type=str, default=None, help="JSON lines, one per epoch")
    p.add_argument("--dump_init", type=str, default=None,
                   help="directory for the initial parameters (<name>.f32 + manifest.txt)")
    p.add_argument("--slow_mrr", action="store_true",
                   help="use the original per-user MRR loop (identical result, slower)")
    return p.parse_args(argv)


def dump_params(net, directory):
    """Raw little-endian float32 row-major <name>.f32 per parameter, plus
    manifest.txt with `name rows cols` per line in state_dict order."""
    os.makedirs(directory, exist_ok=True)
    lines = []
    state = net.state_dict()
    for key, tensor in state.items():
        name = om.short_param_name(key)
        rows, cols = om.param_matrix_shape(key, tensor)
        data = tensor.detach().numpy().astype("<f4", copy=False)
        with open(os.path.join(directory, name + ".f32"), "wb") as f:
            f.write(np.ascontiguousarray(data).tobytes())
        lines.append(f"{name} {rows} {cols}\n")
    with open(os.path.join(directory, "manifest.txt"), "w") as f:
        f.writelines(lines)


def main(argv=None):
    cfg = parse_args(argv)
    torch.set_num_threads(1)
    hidden = [int(x) for x in cfg.layers.split(",") if x.strip()]
    layer_sizes = [3 * cfg.embedding_dim] + hidden

    dataset = om.load_udata(cfg.data)
    train, test = om.random_train_test_split(dataset, test_fraction=cfg.test_fraction)
    print(f"data: {dataset}; train {len(train)}, test {len(test)}", flush=True)

    torch.manual_seed(cfg.seed)
    net = om.MultiTaskNet(train.num_users, train.num_items, embedding_dim=cfg.embedding_dim,
                          layer_sizes=layer_sizes, embedding_sharing=cfg.shared_embeddings,
                          user_bias=cfg.user_bias)
    if cfg.dump_init:
        dump_params(net, cfg.dump_init)
    model = om.MultitaskModel(
        train, representation=net, factorization_weight=cfg.factorization_weight,
        regression_weight=cfg.regression_weight, embedding_dim=cfg.embedding_dim,
        batch_size=cfg.batch_size, l2=cfg.l2, learning_rate=cfg.learning_rate,
        random_state=np.random.RandomState(cfg.seed), bpr=cfg.bpr_loss)

    out = open(cfg.metrics_out, "w") if cfg.metrics_out else None
    try:
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            f_loss, r_loss, j_loss = model.fit(train)
            t1 = time.perf_counter()
            if cfg.slow_mrr:
                mrr = om.mrr_score(model, test, train)
            else:
                mrr = om.mrr_score_fast(model, test, train)
            mse = om.mse_score(model, test)
            t2 = time.perf_counter()
            rec = {"epoch": epoch, "factorization_loss": float(f_loss),
                   "regression_loss": float(r_loss), "joint_loss": float(j_loss),
                   "mrr": float(mrr), "mse": float(mse),
                   "train_seconds": t1 - t0, "eval_seconds": t2 - t1}
            print(f"epoch {epoch:4d}  bpr {f_loss:.6f}  train_mse {r_loss:.6f}  "
                  f"joint {j_loss:.6f}  mrr {mrr:.6f}  test_mse {mse:.6f}  "
                  f"({t1 - t0:.2f}s + {t2 - t1:.2f}s)", flush=True)
            if out:
                out.write(json.dumps(rec) + "\n")
                out.flush()
    finally:
        if out:
            out.close()


if __name__ == "__main__":
    main()
