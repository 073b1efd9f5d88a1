"""The `plugsmith` command the wheel installs: the native CLI behind a console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import plugsmith
from conftest import FIXTURES, cli_path


def test_the_command_is_installed_with_the_package() -> None:
    script = Path(cli_path())
    assert script.parent == Path(sysconfig.get_path("scripts"))


def test_version_on_path() -> None:
    env = {**os.environ, "PATH": f"{sysconfig.get_path('scripts')}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = subprocess.run(
        ["plugsmith", "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"plugsmith {plugsmith.__version__}"


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "plugsmith", "--version"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"plugsmith {plugsmith.__version__}"


def test_exit_status_and_streams_are_the_binary_s() -> None:
    case = FIXTURES / "kili/kil005_async_handler"
    out = subprocess.run(
        [cli_path(), "check", "--output-format", "json", str(case)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1  # errors found
    assert [d["code"] for d in json.loads(out.stdout)][:2] == ["KIL004", "KIL005"]
    usage = subprocess.run([cli_path(), "--no-such-flag"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert "--no-such-flag" in usage.stderr


def test_the_binary_is_in_the_package_and_does_not_link_python() -> None:
    binary = Path(plugsmith.find_plugsmith_bin())
    assert binary.parent == Path(plugsmith.__file__).parent / "bin"
    assert os.access(binary, os.X_OK)
    ldd = shutil.which("ldd")
    if ldd is None or sys.platform != "linux":
        pytest.skip("no ldd")
    linked = subprocess.run([ldd, str(binary)], capture_output=True, text=True).stdout
    assert "libpython" not in linked


def test_the_package_under_test_is_the_installed_one() -> None:
    package = Path(plugsmith.__file__).resolve().parent
    assert package.parent == Path(sysconfig.get_path("platlib")).resolve()
    assert list(package.glob("_plugsmith*.so")) or list(package.glob("_plugsmith*.pyd"))
