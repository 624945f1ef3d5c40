"""What `make install` (and CI) says on a machine that lacks a prerequisite:
one sentence naming the package to install, and a failing exit."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / ".ci" / "check-prerequisites"

# No database at all: a shell script's answers.
pytestmark = pytest.mark.own_database


def _bin_with(tmp_path: Path, *tools: str) -> Path:
    """A PATH holding only these tools, as on a machine that lacks the rest."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        (folder / tool).symlink_to(shutil.which(tool))
    return folder


def _python_without_venv(tmp_path: Path) -> Path:
    """This Python as stock Debian ships it without python3-venv: no ensurepip."""
    shadow = tmp_path / "no-ensurepip"
    shadow.mkdir()
    (shadow / "ensurepip.py").write_text("raise ModuleNotFoundError(\"No module named 'ensurepip'\")\n")
    python = tmp_path / "python3"
    python.write_text(f"#!/bin/sh\nPYTHONPATH={shadow} exec {sys.executable} \"$@\"\n")
    python.chmod(0o755)
    return python


def _check(tmp_path, path: Path, python, *command) -> subprocess.CompletedProcess:
    env = {"PATH": str(path), "PYTHON": str(python), "VENV": str(tmp_path / "no-venv-yet"), "HOME": str(tmp_path)}
    return subprocess.run(list(command or [str(CHECK)]), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def _one_sentence(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_a_machine_with_everything_passes(tmp_path):
    result = _check(tmp_path, _bin_with(tmp_path, "node", "npm"), sys.executable)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_python_without_venv_names_python3_venv(tmp_path):
    result = _check(tmp_path, _bin_with(tmp_path, "node", "npm"), _python_without_venv(tmp_path))
    assert result.returncode != 0
    message = _one_sentence(result.stderr)
    assert "no venv module with ensurepip" in message and message.endswith("sudo apt-get install python3-venv")


def test_missing_node_and_npm_are_named_together(tmp_path):
    result = _check(tmp_path, _bin_with(tmp_path), _python_without_venv(tmp_path))
    assert result.returncode != 0
    assert _one_sentence(result.stderr).endswith("sudo apt-get install python3-venv nodejs npm")


def test_an_old_python_is_named(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\nexec " + sys.executable + " -c 'import sys; sys.exit(1)'\n")
    old.chmod(0o755)
    result = _check(tmp_path, _bin_with(tmp_path, "node", "npm"), old)
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in _one_sentence(result.stderr)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_install_says_the_sentence_before_making_a_venv(tmp_path):
    make = shutil.which("make")
    venv = tmp_path / "no-venv-yet"
    result = _check(tmp_path, _bin_with(tmp_path, "node", "npm"), _python_without_venv(tmp_path),
                    make, "--no-print-directory", "install", f"VENV={venv}")
    assert result.returncode != 0
    said = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("make")]
    assert len(said) == 1 and said[0].endswith("sudo apt-get install python3-venv"), result.stderr
    assert not venv.exists()
