"""Writing a report's files: whole or not at all, with the mode the user's umask gives a new file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def new_file_mode() -> int:
    """The mode `open()` would give a new file: 0666 less the process's umask (0644 under the usual 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, content: bytes) -> None:
    """Write whole or not at all: a temporary file in the same directory (mkstemp makes it 0600),
    given the umask's mode, then renamed over `path`. A reader sees the old file or the new one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            os.fchmod(stream.fileno(), new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
