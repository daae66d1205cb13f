"""MultitaskModel.save never writes through a link or onto a device, never
replaces an existing file unless asked, and its temporary file has a name no
one can predict (issue 22, items 2 and 3)."""

import os

import pytest

import mtrec


def _kind(path):
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    if os.path.isdir(path):
        return "folder"
    if os.path.exists(path) and not os.path.isfile(path):
        return "special"
    with open(path, "rb") as f:
        return "file:" + f.read().hex()


def test_save_replaces_an_existing_file_only_with_overwrite(fitted, tmp_path):
    path = tmp_path / "model.mtrec"
    fitted.save(path)
    first = path.read_bytes()
    path.write_bytes(b"not a model")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted.save(str(path))
    assert path.read_bytes() == b"not a model"
    fitted.save(str(path), overwrite=True)
    assert path.read_bytes() == first
    assert mtrec.load(str(path)).history == fitted.history
    assert sorted(os.listdir(tmp_path)) == ["model.mtrec"]  # no temporary file left


@pytest.mark.parametrize("overwrite", [False, True])
def test_save_never_replaces_or_follows_what_is_not_a_regular_file(fitted, tmp_path, overwrite):
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    planted = {
        "link": lambda p: os.symlink(victim, p),
        "dangling": lambda p: os.symlink(tmp_path / "ghost", p),
        "device": lambda p: os.symlink("/dev/null", p),
        "fifo": lambda p: os.mkfifo(p),
        "folder": lambda p: os.mkdir(p),
    }
    for name, plant in planted.items():
        path = tmp_path / name
        plant(path)
        before = _kind(path) if name != "fifo" else "fifo"
        with pytest.raises(ValueError, match="only a regular file is ever replaced"):
            fitted.save(str(path), overwrite=overwrite)
        assert (_kind(path) if name != "fifo" else "fifo") == before, name
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "ghost").exists()
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    assert sorted(os.listdir(tmp_path)) == sorted(["victim", *planted])


def test_a_link_at_the_old_predictable_temporary_name_is_not_followed(fitted, tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    path = tmp_path / "model.mtrec"
    old_temp = tmp_path / f"model.mtrec.tmp.{os.getpid()}"
    os.symlink(victim, old_temp)
    fitted.save(str(path))
    assert victim.read_bytes() == b"precious"
    assert os.path.isfile(path) and not os.path.islink(path)
    assert os.path.islink(old_temp)
    assert mtrec.load(str(path)).history == fitted.history


def test_save_into_a_missing_folder_is_file_not_found(fitted, tmp_path):
    with pytest.raises(FileNotFoundError):
        fitted.save(str(tmp_path / "no" / "model.mtrec"))
