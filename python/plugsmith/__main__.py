"""``plugsmith`` / ``python -m plugsmith``: runs the native CLI shipped in the wheel.

The wheel carries the real ``plugsmith`` binary (pure Rust, no libpython) as package data in
``plugsmith/bin/``; the ``plugsmith`` console script replaces itself with it (``os.execv``), so
arguments, standard streams, signals and the exit status are the binary's own. On Windows, where
``exec`` does not replace the process, it runs as a child and its exit status is passed on.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

_EXE = "plugsmith.exe" if os.name == "nt" else "plugsmith"


def find_plugsmith_bin() -> str:
    """The path of the ``plugsmith`` binary in this package.

    Raises ``FileNotFoundError`` when the package was built without it.
    """
    binary = Path(__file__).resolve().parent / "bin" / _EXE
    if not binary.is_file():
        raise FileNotFoundError(
            f"{binary} is missing: this plugsmith package was built without its CLI "
            "(build it with python/scripts/build.sh)"
        )
    if os.name != "nt" and not os.access(binary, os.X_OK):
        # Some installers drop the executable bit of package data; restore it when we can.
        try:
            mode = binary.stat().st_mode
            binary.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError:
            pass
    return str(binary)


def main() -> None:
    try:
        binary = find_plugsmith_bin()
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    argv = [binary, *sys.argv[1:]]
    if os.name == "nt":
        try:
            sys.exit(subprocess.call(argv))
        except KeyboardInterrupt:
            sys.exit(130)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(binary, argv)


if __name__ == "__main__":
    main()
