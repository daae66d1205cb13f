"""The README's Python session runs as written, on generated data, so it cannot
rot. The session is the fenced block right after the line `<!-- test:python -->`
in README.md. It runs as one script in a fresh folder with the interpreter and
the mtrec package of this test run, with these substitutions (docs/testing.md): the
data set name "ml-100k" is a generated MovieLens-layout u.data, and every
`epochs=N` is capped at 2. It must exit 0 and print no error or traceback."""

import os
import pathlib
import re
import subprocess
import sys

import mtrec

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
MAX_EPOCHS = 2


def session_code(marker):
    """The fenced block that follows the marker line."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(marker) + 1
    assert lines[start].startswith("```"), f"no fenced block after {marker}"
    end = next(k for k in range(start + 1, len(lines)) if lines[k].startswith("```"))
    return "\n".join(lines[start + 1:end]) + "\n"


def substitute(code, data_path):
    code = code.replace('"ml-100k"', repr(data_path))
    return re.sub(r"\bepochs=(\d+)", lambda m: f"epochs={min(int(m[1]), MAX_EPOCHS)}", code)


def test_substitutions_follow_the_documented_rule():
    assert (substitute('load_dataset("ml-100k")\nfit(t, epochs=20)\nfit(t, epochs=1)', "/d/u.data")
            == "load_dataset('/d/u.data')\nfit(t, epochs=2)\nfit(t, epochs=1)")


def test_python_session_runs_as_written(arrays, tmp_path):
    code = session_code("<!-- test:python -->")
    assert "mtrec.load_dataset" in code and ".fit(" in code, "the session lost its core"

    users, items, ratings = arrays
    data_path = tmp_path / "ml" / "u.data"   # a MovieLens name: raw ids, as ml-100k
    data_path.parent.mkdir()
    with open(data_path, "w") as f:
        for k, (u, i, r) in enumerate(zip(users, items, ratings)):
            f.write(f"{u}\t{i}\t{int(r)}\t{880000000 + k}\n")
    work = tmp_path / "work"
    work.mkdir()
    script = work / "session.py"
    script.write_text(substitute(code, str(data_path)))

    # The package this test imports, whatever the working folder.
    package_dir = str(pathlib.Path(mtrec.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_dir] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    result = subprocess.run([sys.executable, str(script)], cwd=work, capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"error|traceback", result.stderr, re.IGNORECASE), result.stderr
    assert result.stdout.strip(), "the session printed nothing"
