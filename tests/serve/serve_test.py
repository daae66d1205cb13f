"""`mtrec serve` end to end: the real server on a random loopback port over a
small generated model. Every route, every error status, answers identical to
`mtrec recommend`/`predict` on the same checkpoint, reload under load (no
failed request across three reloads, one of a corrupt file), SIGTERM drain.
Standard library only.  usage: serve_test.py PATH/TO/mtrec"""

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

MTREC = sys.argv[1] if len(sys.argv) > 1 else "mtrec"
TOKEN = "s3cret-token"


def write_data(folder, users=60, items=80, per_user=25, seed=3):
    """u.data (user item rating timestamp, TAB) and u.item titles, as ML-100K."""
    rng = random.Random(seed)
    taste = {u: [rng.gauss(0, 1) for _ in range(3)] for u in range(1, users + 1)}
    kind = {i: [rng.gauss(0, 1) for _ in range(3)] for i in range(1, items + 1)}
    with open(os.path.join(folder, "u.data"), "w") as f:
        t = 880000000
        for u in range(1, users + 1):
            for i in rng.sample(range(1, items + 1), per_user):
                a = sum(x * y for x, y in zip(taste[u], kind[i]))
                f.write(f"{u}\t{i}\t{min(5, max(1, round(3 + a)))}\t{t}\n")
                t += 1
    with open(os.path.join(folder, "u.item"), "w", encoding="latin-1") as f:
        for i in range(1, items + 1):
            title = "Star Wars (1977)" if i == 50 else f"Movie {i} (19{50 + i % 50})"
            f.write(f"{i}|{title}|01-Jan-1977||http://x|0|0\n")


def train(folder, name, seed):
    path = os.path.join(folder, name)
    subprocess.run([MTREC, "train", "--dataset", os.path.join(folder, "u.data"), "--epochs", "2",
                    "--embedding_dim", "8", "--layers", "16", "--batch_size", "256", "--seed",
                    str(seed), "--threads", "1", "--logdir", os.path.join(folder, "run-" + name),
                    "--save", path], check=True, capture_output=True)
    return path


class Server:
    """`mtrec serve` on a free loopback port; its stderr lines are kept."""

    def __init__(self, model, *flags):
        self.proc = subprocess.Popen(
            [MTREC, "serve", "--model", model, "--port", "0", "--threads", "1",
             "--connections", "16", "--admin_token", TOKEN, "--read_timeout", "1",
             "--keep_alive", "1", "--max_body_kib", "4", "--drain_timeout", "5", *flags],
            stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.port = None
        listening = threading.Event()

        def read():
            for line in self.proc.stderr:
                self.lines.append(line)
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    listening.set()
            listening.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        if not listening.wait(30) or self.port is None:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.lines))

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, parsed JSON or text, headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        kind = r.getheader("Content-Type", "")
        return r.status, (json.loads(text) if kind.startswith("application/json") else text), r

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(15)
        self.reader.join(5)
        self.proc.stderr.close()
        return code


def read_to_end(s):
    """Every byte the server sends on socket `s` until it closes it (then closed)."""
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def cli_json(*args):
    out = subprocess.run([MTREC, *args, "--format", "json"], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


FILES = {}  # the generated data and checkpoints, shared by every test


def setUpModule():
    tmp = FILES["tmp"] = tempfile.mkdtemp(prefix="mtrec-serve-test-")
    write_data(tmp)
    FILES["model"] = train(tmp, "m.mtrec", 1)
    FILES["other"] = train(tmp, "other.mtrec", 2)
    FILES["corrupt"] = os.path.join(tmp, "corrupt.mtrec")
    with open(FILES["model"], "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0xFF
    with open(FILES["corrupt"], "wb") as f:
        f.write(bytes(data))


def tearDownModule():
    shutil.rmtree(FILES["tmp"], ignore_errors=True)


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = FILES["model"]
        cls.server = Server(cls.model)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def get(self, path, **kw):
        return self.server.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.server.request("POST", path, body, **kw)

    def assert_error(self, reply, status, words):
        code, body, _ = reply
        self.assertEqual(code, status, body)
        self.assertEqual(body["status"], status)
        self.assertIn(words, body["error"])

    # -- every route ---------------------------------------------------------

    def test_user_recommendations_are_the_clis_bit_for_bit(self):
        for user in ("1", "17", "60"):
            for k, seen in ((10, "true"), (5, "false")):
                code, got, _ = self.get(f"/v1/users/{user}/recommendations?k={k}&exclude_seen={seen}")
                self.assertEqual(code, 200, got)
                flags = ["--include_seen"] if seen == "false" else []
                want = cli_json("recommend", "--model", self.model, "--user", user, "--k", str(k),
                                *flags)[0]
                self.assertEqual(got["user"], user)
                self.assertEqual(len(got["items"]), k)
                for g, w in zip(got["items"], want["items"]):
                    self.assertEqual((g["item"], g["score"], g["rating"], g["title"]),
                                     (w["item"], w["score"], w["predicted_rating"], w["title"]))

    def test_user_history_is_the_users_rows_in_the_data(self):
        rows = {}
        with open(os.path.join(FILES["tmp"], "u.data")) as f:
            for line in f:
                u, i = line.split("\t")[:2]
                rows.setdefault(u, set()).add(int(i))
        for user in ("1", "17"):
            code, got, _ = self.get(f"/v1/users/{user}/history?limit=1000")
            self.assertEqual(code, 200, got)
            self.assertEqual(got["user"], user)
            self.assertEqual(got["count"], len(rows[user]))
            self.assertEqual([int(g["item"]) for g in got["items"]], sorted(rows[user]))
            self.assertTrue(all(g["title"] for g in got["items"]))
            top = self.get(f"/v1/users/{user}/recommendations?k=50")[1]["items"]
            self.assertFalse(rows[user] & {int(g["item"]) for g in top}, "history is what is excluded")
        code, got, _ = self.get("/v1/users/1/history?limit=3")
        self.assertEqual((got["count"], len(got["items"])), (len(rows["1"]), 3))
        self.assert_error(self.get("/v1/users/1/history?limit=0"), 400, "limit")
        self.assert_error(self.get("/v1/users/999/history"), 404, "999")

    def test_batch_recommendations_are_the_single_ones_in_order(self):
        code, got, _ = self.post("/v1/recommendations", {"users": ["3", 9, "3"], "k": 4})
        self.assertEqual(code, 200, got)
        self.assertEqual([r["user"] for r in got["results"]], ["3", "9", "3"])
        for r in got["results"]:
            self.assertEqual(r, self.get(f"/v1/users/{r['user']}/recommendations?k=4")[1])

    def test_for_ratings_is_the_clis_fold_in(self):
        code, got, _ = self.post("/v1/recommendations/for-ratings",
                                 {"ratings": {"50": 5, "12": 4}, "k": 6})
        self.assertEqual(code, 200, got)
        want = cli_json("recommend", "--model", self.model, "--ratings", "50:5,12:4", "--k", "6")[0]
        self.assertEqual([(g["item"], g["score"], g["rating"]) for g in got["items"]],
                         [(w["item"], w["score"], w["predicted_rating"]) for w in want["items"]])
        self.assertNotIn("50", [g["item"] for g in got["items"]])

    def test_similar_items(self):
        code, got, _ = self.get("/v1/items/50/similar?k=7")
        self.assertEqual(code, 200, got)
        self.assertEqual(got["item"], "50")
        sims = [g["similarity"] for g in got["items"]]
        self.assertEqual(len(sims), 7)
        self.assertEqual(sims, sorted(sims, reverse=True))
        self.assertNotIn("50", [g["item"] for g in got["items"]])
        self.assertTrue(all(-1.0001 <= s <= 1.0001 and g["title"] for s, g in zip(sims, got["items"])))

    def test_predict_is_the_clis(self):
        pairs = [["1", "50"], [7, 3], ["60", "80"]]
        code, got, _ = self.post("/v1/predict", {"pairs": pairs})
        self.assertEqual(code, 200, got)
        for (u, i), g in zip(pairs, got["predictions"]):
            w = cli_json("predict", "--model", self.model, "--user", str(u), "--item", str(i))[0]
            self.assertEqual((g["user"], g["item"], g["rating"], g["score"]),
                             (w["user"], w["item"], w["predicted_rating"], w["score"]))

    def test_item_search(self):
        code, got, _ = self.get("/v1/items?search=star%20WARS&limit=20")
        self.assertEqual(code, 200, got)
        self.assertEqual(got["items"], [{"item": "50", "title": "Star Wars (1977)"}])
        code, got, _ = self.get("/v1/items?limit=5")
        self.assertEqual([g["item"] for g in got["items"]], ["1", "2", "3", "4", "5"])

    def test_model_health_ready_metrics(self):
        code, got, _ = self.get("/v1/model")
        self.assertEqual(code, 200, got)
        self.assertEqual((got["users"], got["items"], got["epochs_trained"]), (61, 81, 2))
        self.assertRegex(got["checksum"], "^sha256:[0-9a-f]{64}$")
        self.assertEqual(got["configuration"]["embedding_dim"], "8")
        with open(os.path.join(FILES["tmp"], "u.data")) as f:
            stars = [float(line.split("\t")[2]) for line in f]
        self.assertEqual(got["ratings"], {"min": min(stars), "max": max(stars)})
        self.assertEqual(self.get("/healthz")[:2], (200, {"status": "ok"}))
        self.assertEqual(self.get("/readyz")[:2], (200, {"status": "ready"}))
        code, text, r = self.get("/metrics")
        self.assertEqual(code, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/plain"))
        self.assertRegex(text, r'mtrec_http_requests_total\{route="GET /v1/model",status="200"\} \d+')
        self.assertIn('mtrec_http_request_duration_seconds_bucket{le="+Inf"}', text)
        self.assertIn("mtrec_http_requests_in_flight 1", text)
        self.assertRegex(text, r"\nmtrec_http_connections_open [1-9]\d*\n")  # this one at least
        # The bound the server announced when it started listening.
        bound = re.search(r"(\d+) connections at most", "".join(self.server.lines)).group(1)
        self.assertIn(f"\nmtrec_http_connections_limit {bound}\n", text)
        self.assertIn('mtrec_model_info{checksum="' + got["checksum"] + '"} 1', text)
        self.assertRegex(text, r"mtrec_model_load_seconds \d")

    def test_the_explorer_page_works_against_the_server(self):
        code, page, r = self.get("/")
        self.assertEqual(code, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/html"))
        self.assertIn('id="search-form"', page)
        node = shutil.which("node") or shutil.which("nodejs")
        self.assertIsNotNone(node, "Node.js runs the page's script (scripts/install_deps.sh)")
        run = subprocess.run([node, os.path.join(os.path.dirname(__file__), "explorer_test.js"),
                              f"http://127.0.0.1:{self.server.port}"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    # -- every error status --------------------------------------------------

    def test_errors(self):
        self.assert_error(self.post("/v1/recommendations", raw="{nope"), 400, "not valid JSON")
        self.assert_error(self.post("/v1/recommendations", raw="[1]"), 400, "JSON object")
        self.assert_error(self.post("/v1/recommendations", {"users": "1"}), 400, "users")
        self.assert_error(self.post("/v1/recommendations", {"users": [1.5]}), 400, "users")
        self.assert_error(self.post("/v1/recommendations", {"users": ["1"], "k": "3"}), 400, "k")
        self.assert_error(self.post("/v1/predict", {"pairs": [[1, 2, 3]]}), 400, "pairs")
        self.assert_error(self.post("/v1/recommendations", {"users": ["1"] * 101, "k": 1000}),
                          400, "users x k")
        self.assert_error(self.post("/v1/recommendations/for-ratings", {"ratings": [50, 5]}), 400,
                          "ratings")
        self.assert_error(self.post("/v1/recommendations/for-ratings", {"ratings": {"50": 99}}),
                          400, "rating")
        self.assert_error(self.get("/v1/users/1/recommendations?k=0"), 400, "k")
        self.assert_error(self.get("/v1/users/1/recommendations?k=1001"), 400, "k")
        self.assert_error(self.get("/v1/users/1/recommendations?k=ten"), 400, "k")
        self.assert_error(self.get("/v1/users/1/recommendations?exclude_seen=maybe"), 400,
                          "exclude_seen")
        for reply, id in ((self.get("/v1/users/999/recommendations"), "999"),
                          (self.get("/v1/items/abc/similar"), "abc"),
                          (self.post("/v1/predict", {"pairs": [["1", "4242"]]}), "4242"),
                          (self.post("/v1/recommendations", {"users": ["1", "0"]}), "0")):
            self.assert_error(reply, 404, f"'{id}'")
            self.assertEqual(reply[1]["id"], id)
        self.assert_error(self.post("/v1/predict", raw="{" + " " * 8000 + "}"), 413, "larger")
        self.assert_error(self.get("/v2/nothing"), 404, "no route")
        code, body, r = self.server.request("DELETE", "/v1/model")
        self.assert_error((code, body, r), 405, "not allowed")
        self.assertEqual(r.getheader("Allow"), "GET")
        self.assert_error(self.get("/v1/predict"), 405, "POST")
        # Without a body or a Content-Length (`curl -X PUT URL`): still the route's answer.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"PUT /v1/model HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
        s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 405"), reply)
        self.assertIn(b'"status":405', reply)

    def test_a_query_parameter_given_twice_is_400_naming_it(self):
        # One value was used and the other dropped without a word.
        for path, name in (("/v1/users/1/recommendations?k=5&k=7", "k"),
                           ("/v1/users/1/recommendations?exclude_seen=1&exclude_seen=1",
                            "exclude_seen"),
                           ("/v1/items/1/similar?k=3&k=3", "k"),
                           ("/v1/items?search=a&limit=2&search=b", "search"),
                           ("/v1/items?limit=1&limit=2", "limit")):
            self.assert_error(self.get(path), 400, f"{name}: given 2 times")

    def test_a_malformed_content_length_is_400_and_closes(self):
        # "-5" was read as 2^64 - 5 (413), "abc" as 0 (an empty body).
        head = b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n"
        for headers in (b"Content-Length: -5\r\n", b"Content-Length: abc\r\n",
                        b"Content-Length: 5x\r\n", b"Content-Length: +5\r\n",
                        b"Content-Length: 5, 5\r\n", b"Content-Length: 0x10\r\n",
                        b"Content-Length: 2\r\nContent-Length: 2\r\n",
                        b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            s.sendall(head + headers + b"\r\n")
            reply = read_to_end(s)  # closed after the reply
            self.assertTrue(reply.startswith(b"HTTP/1.1 400"), (headers, reply))
            self.assertIn(b"Connection: close", reply)
            body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
            self.assertEqual(body["status"], 400)
            self.assertIn("Content-Length", body["error"])
        # A GET with one too (the library reads no GET body, but the framing is still wrong).
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
        self.assertTrue(read_to_end(s).startswith(b"HTTP/1.1 400"))

    def test_head_is_get_without_a_body(self):
        # Matching HEAD read a dead temporary (ASan: stack-use-after-scope).
        for path, status in (("/v1/users/1/recommendations?k=2", 200), ("/v1/predict", 405)):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            conn.request("HEAD", path)
            r = conn.getresponse()
            self.assertEqual((r.status, r.read()), (status, b""))
            conn.close()

    def test_admin_reload_refuses_a_path_with_a_nul(self):
        # It reloaded the file named by the part before the NUL.
        self.assert_error(self.post("/admin/reload", {"model": self.model + "\u0000.other"},
                                    headers={"Authorization": "Bearer " + TOKEN}), 400, "model")

    def test_admin_reload_needs_the_token(self):
        self.assert_error(self.post("/admin/reload"), 401, "Bearer")
        self.assert_error(self.post("/admin/reload", headers={"Authorization": "Bearer wrong"}),
                          401, "Bearer")

    def test_a_reload_of_a_pipe_or_device_is_refused_at_once(self):
        # Reading one hung the reload (and every later one) for good.
        fifo = os.path.join(FILES["tmp"], "fifo.mtrec")
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
        auth = {"Authorization": "Bearer " + TOKEN}
        for path in (fifo, "/dev/zero"):
            start = time.time()
            self.assert_error(self.post("/admin/reload", {"model": path}, headers=auth), 422,
                              "not a regular file")
            self.assertLess(time.time() - start, 5)

    def test_slow_and_idle_clients_are_dropped(self):
        for partial in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b""):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            s.sendall(partial)
            start = time.time()
            data = s.recv(4096)  # the server closes the connection (read timeout: 1 s)
            self.assertLess(time.time() - start, 8)
            self.assertNotIn(b"200 OK", data)
            s.close()


    def test_a_request_sent_a_byte_at_a_time_is_dropped_after_read_timeout(self):
        # --read_timeout bounds the whole request, not each recv(): a byte
        # every 0.25 s held a worker for as long as the client liked.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=20)
        request = b"GET /healthz HTTP/1.1\r\nX-Drip: " + b"a" * 40 + b"\r\n\r\n"

        def drip():
            try:
                for byte in request:
                    s.send(bytes([byte]))
                    time.sleep(0.25)
            except OSError:
                pass  # the server closed it: what the test wants

        sender = threading.Thread(target=drip)
        start = time.time()
        sender.start()
        data = s.recv(4096)
        self.assertLess(time.time() - start, 4, data)  # the drip takes 12 s
        self.assertNotIn(b"200 OK", data)
        s.close()
        sender.join()

    def test_pipelined_requests_are_all_answered_in_order(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /v1/items/999999/similar HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = read_to_end(s)
        self.assertEqual(re.findall(rb"HTTP/1.1 (\d+)", data), [b"200", b"404", b"200"], data)

    def test_a_request_that_is_not_http_is_answered_once_and_closed(self):
        # The rest of the bytes are no request: parsing them gave a second 400.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"hello there\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_to_end(s)
        self.assertEqual(re.findall(rb"HTTP/1.1 (\d+)", data), [b"400"], data)
        self.assertTrue(data.endswith(b'"status":400}'), data)

    def test_a_chunked_body_over_the_limit_is_413(self):
        # Only Content-Length was bounded; a chunked body could be any size.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        chunk = b" " * 8192
        s.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"c\r\n{\"pairs\":[]}\r\n")
        try:
            for _ in range(16):  # 128 KiB against --max_body_kib 4
                s.sendall(b"2000\r\n" + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # closed once the limit was passed
        reply = read_to_end(s)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply)
        self.assertIn(b'"status":413', reply)
        self.assertIn(b"Connection: close", reply)

    def test_bodies_are_framed_before_parsing(self):
        # Each request is handed to the parser whole: a chunked body, a body
        # the client sends only after "100 Continue" (once), and a GET's body
        # (skipped, not read as the next request), pipelined on one connection.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        body = b'{"pairs":[[1,50]]}'
        s.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + b"%x\r\n" % 5 + body[:5] + b"\r\n" + b"%x\r\n" % (len(body) - 5)
                  + body[5:] + b"\r\n0\r\n\r\n"
                  + b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                  + b"POST /v1/predict HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  + b"Content-Length: %d\r\n\r\n" % len(body))
        data = b""
        while data.count(b"HTTP/1.1 ") < 3:
            data += s.recv(65536)
        self.assertTrue(data.endswith(b"HTTP/1.1 100 Continue\r\n\r\n"), data)
        s.sendall(body[:4])
        time.sleep(0.1)
        s.sendall(body[4:] + b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data += read_to_end(s)
        self.assertEqual(re.findall(rb"HTTP/1.1 (\d+)", data), [b"200", b"200", b"100", b"200",
                                                                 b"200"], data)
        self.assertEqual(data.count(b'"predictions":[{"user":"1","item":"50"'), 2, data)


class ReloadAndShutdownTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model, cls.other, cls.corrupt = FILES["model"], FILES["other"], FILES["corrupt"]

    def test_no_request_fails_across_three_reloads(self):
        server = Server(self.model)
        try:
            auth = {"Authorization": "Bearer " + TOKEN}
            first = server.request("GET", "/v1/model")[1]["checksum"]
            stop, failures, answered = threading.Event(), [], [0]

            def client():
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                while not stop.is_set():
                    try:
                        conn.request("GET", "/v1/users/5/recommendations?k=10")
                        r = conn.getresponse()
                        body = r.read()
                        if r.status != 200 or len(json.loads(body)["items"]) != 10:
                            failures.append((r.status, body))
                        answered[0] += 1
                    except Exception as e:  # noqa: BLE001 - any failure counts
                        failures.append(repr(e))
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                conn.close()

            clients = [threading.Thread(target=client) for _ in range(4)]
            for c in clients:
                c.start()
            time.sleep(0.2)
            # 1: SIGHUP reloads the same file.
            server.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while not any("reloaded" in l for l in server.lines) and time.time() < deadline:
                time.sleep(0.05)
            # 2: a corrupt file is refused and the old model keeps serving.
            code, body, _ = server.request("POST", "/admin/reload", {"model": self.corrupt},
                                           headers=auth)
            self.assertEqual(code, 422, body)
            self.assertIn("refused", body["error"])
            self.assertEqual(server.request("GET", "/v1/model")[1]["checksum"], first)
            # 3: another checkpoint is swapped in.
            code, body, _ = server.request("POST", "/admin/reload", {"model": self.other},
                                           headers=auth)
            self.assertEqual(code, 200, body)
            time.sleep(0.2)
            stop.set()
            for c in clients:
                c.join()
            self.assertEqual(failures, [])
            self.assertGreater(answered[0], 20)
            now = server.request("GET", "/v1/model")[1]
            self.assertEqual(now["checksum"], body["checksum"])
            self.assertNotEqual(now["checksum"], first)
            self.assertEqual(now["checkpoint"], self.other)
            metrics = server.request("GET", "/metrics")[1]
            self.assertIn('mtrec_model_reloads_total{result="ok"} 2', metrics)
            self.assertIn('mtrec_model_reloads_total{result="refused"} 1', metrics)
            self.assertTrue(any("reload refused" in l for l in server.lines))
        finally:
            self.assertEqual(server.stop(), 0)

    def test_connections_beyond_the_bound_are_refused_not_queued(self):
        # Keep-alive 10 s: the held workers stay busy however slow this machine.
        server = Server(self.model, "--connections", "2", "--waiting", "1", "--keep_alive", "10")
        try:
            def send(conn):
                conn.request("GET", "/healthz")
                return conn

            # Two keep-alive connections hold both workers (for --keep_alive 10 s)...
            held = [send(http.client.HTTPConnection("127.0.0.1", server.port, timeout=10))
                    for _ in range(2)]
            for conn in held:
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
            # ...one more waits for a worker, and the next is answered 503 at once.
            waiting = send(http.client.HTTPConnection("127.0.0.1", server.port, timeout=10))
            time.sleep(0.1)
            start = time.time()
            refused = send(http.client.HTTPConnection("127.0.0.1", server.port, timeout=10))
            r = refused.getresponse()
            self.assertEqual(r.status, 503)
            self.assertIn("busy", json.loads(r.read())["error"])
            self.assertLess(time.time() - start, 3)  # long before a worker is free
            # One that sends nothing is answered too, at once, not after --read_timeout.
            silent = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            start = time.time()
            reply = silent.recv(4096)
            silent.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 503"), reply)
            self.assertLess(time.time() - start, 3)
            for conn in held:  # frees the workers: the waiting one is served
                conn.close()
            r = waiting.getresponse()
            self.assertEqual(r.status, 200)
            r.read()
            # /metrics counts both refusals against the bound of 3.
            waiting.request("GET", "/metrics")
            text = waiting.getresponse().read().decode()
            self.assertIn("\nmtrec_http_connections_refused_total 2\n", text)
            self.assertIn("\nmtrec_http_connections_limit 3\n", text)
            self.assertRegex(text, r"\nmtrec_http_connections_open [1-3]\n")
            for conn in [waiting, refused]:
                conn.close()
        finally:
            self.assertEqual(server.stop(), 0)

    def test_idle_keep_alive_connections_hold_no_thread(self):
        # Two worker threads and 24 idle keep-alive connections (--keep_alive
        # 10 s): another client is answered at once. When each open connection
        # held a worker (--connections of them), it waited for a keep-alive
        # to end.
        server = Server(self.model, "--threads", "2", "--connections", "4", "--waiting", "60",
                        "--keep_alive", "10")
        try:
            idle = []
            for _ in range(24):
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                idle.append(conn)
            start = time.time()
            code, got, _ = server.request("GET", "/v1/users/5/recommendations?k=3")
            self.assertEqual(code, 200, got)
            self.assertLess(time.time() - start, 2)
            for conn in idle:  # still open: each answers again
                conn.request("GET", "/readyz")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                conn.close()
            self.assertTrue(any("2 worker threads" in l for l in server.lines), server.lines)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_sigterm_drains_and_exits_zero(self):
        server = Server(self.model)
        ok, errors, stop = [0], [], threading.Event()

        def client():
            while not stop.is_set():
                try:
                    code = server.request("GET", "/v1/users/2/recommendations")[0]
                    if code != 200:
                        errors.append(code)
                    ok[0] += 1
                except (ConnectionError, http.client.HTTPException, OSError):
                    return  # the server stopped accepting

        threads = [threading.Thread(target=client) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        start = time.time()
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        self.assertLess(time.time() - start, 8)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertGreater(ok[0], 0)
        self.assertTrue(any("draining" in l for l in server.lines))
        self.assertTrue(any("stopped" in l for l in server.lines))


class IndexTest(unittest.TestCase):
    def test_index_hnsw_is_built_at_load_and_reported(self):
        server = Server(FILES["model"], "--index", "hnsw", "--index_ef", "40")
        try:
            code, got, _ = server.request("GET", "/v1/model")
            self.assertEqual(code, 200, got)
            index = got["index"]
            self.assertEqual((index["kind"], index["ef_search"], index["items"]), ("hnsw", 40, 81))
            self.assertGreater(index["memory_bytes"], 0)
            # 81 items: the graph search reaches the exact top 10, and the
            # user's own items are excluded as without the index.
            for user in ("1", "5", "17"):
                code, got, _ = server.request("GET", f"/v1/users/{user}/recommendations?k=10")
                self.assertEqual(code, 200, got)
                want = cli_json("recommend", "--model", FILES["model"], "--user", user, "--k",
                                "10")[0]
                self.assertEqual([(g["item"], g["score"]) for g in got["items"]],
                                 [(w["item"], w["score"]) for w in want["items"]])
        finally:
            self.assertEqual(server.stop(), 0)
        bad = subprocess.run([MTREC, "serve", "--model", FILES["model"], "--index", "ivf"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--index: expected exact or hnsw, got 'ivf'", bad.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
