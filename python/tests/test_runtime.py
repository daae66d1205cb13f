"""fit releases the GIL, and Ctrl-C stops it cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

import mtrec
from conftest import generate_ratings


def test_fit_releases_the_gil():
    users, items, ratings = generate_ratings(num_users=2000, num_items=1500, per_user=60, seed=3)
    data = mtrec.Interactions(users, items, ratings)
    model = mtrec.MultitaskModel(threads=1, batch_size=256)
    counts = []
    done = threading.Event()

    def count():
        n = 0
        while not done.is_set():
            n += 1
        counts.append(n)

    worker = threading.Thread(target=count)
    start = time.perf_counter()
    worker.start()
    # A fit of well over the switch interval; with the GIL held throughout,
    # the counting thread would hardly run until it returned.
    model.fit(data, epochs=3)
    elapsed = time.perf_counter() - start
    done.set()
    worker.join()
    assert elapsed > 0.2, "the fit was too short to show anything"
    assert counts[0] > 100_000, counts


CHILD = textwrap.dedent("""
    import sys, numpy as np, mtrec
    sys.path.insert(0, {tests!r})
    from conftest import generate_ratings
    users, items, ratings = generate_ratings(num_users=3000, num_items=2000, per_user=60)
    data = mtrec.Interactions(users, items, ratings)
    model = mtrec.MultitaskModel(threads=1, batch_size=64)
    print("training", flush=True)
    try:
        model.fit(data, epochs=1000)
        print("finished?!", flush=True)
    except KeyboardInterrupt:
        epochs = len(model.history)
        items_, scores = model.recommend(int(users[0]), k=5)
        assert len(items_) == 5 and np.isfinite(scores).all()
        h = model.fit(data, epochs=1)  # finishes the interrupted epoch
        assert h[0]["epoch"] == epochs + 1
        print("interrupted after", epochs, "epochs; model usable", flush=True)
""")


def test_ctrl_c_stops_fit_with_keyboard_interrupt():
    tests = os.path.dirname(os.path.abspath(__file__))
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(tests=tests)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "training"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "interrupted after" in out and "model usable" in out, out + err
