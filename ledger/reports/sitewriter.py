"""Writing a generated site into a directory without trusting what is already there.

Every file is written to a temporary file in its own directory and renamed into place, so a reader
sees the old file or the new one, never half of one; the rename replaces a symbolic link that stood
at the name instead of writing through it. A subdirectory that is a link (or a file) is replaced
by a real directory: nothing is ever written, or deleted, through a link out of the site. Files
get the user's umask (0644 by default), as any file a user writes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ledger.errors import InvalidInput


def site_directory(out: str, option: str = "--out") -> Path:
    """The directory named by `out`, created if need be; exit 2 with the reason if it cannot be."""
    if not out.strip():
        raise InvalidInput(f"{option} is empty: name the directory to write into, for example {option} site/")
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput(f"{option} {out!r} exists and is not a directory") from None
    except OSError as error:
        raise InvalidInput(f"{option} {out!r} is not a directory that can be created: {error.strerror}") from None
    if not path.is_dir():
        raise InvalidInput(f"{option} {out!r} exists and is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise InvalidInput(f"{option} {out!r} is a directory this user cannot write into")
    return path


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


class SiteWriter:
    """Writes files under one root; remembers what it wrote, so stale pages can be removed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mode = 0o666 & ~_umask()
        self.written: list[Path] = []

    def directory(self, relative: str) -> Path:
        """A real directory under the root: a link or a file standing at its name is removed first."""
        path = self.root
        for part in Path(relative).parts:
            path = path / part
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                os.mkdir(path)
                continue
            if stat.S_ISDIR(info.st_mode):
                continue
            os.unlink(path)  # a link is removed itself; what it points to is left alone
            os.mkdir(path)
        return path

    def write(self, relative: str, data: bytes) -> Path:
        target = self.root / relative
        parent = self.directory(str(Path(relative).parent)) if Path(relative).parent != Path(".") else self.root
        target = parent / target.name
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                os.fchmod(stream.fileno(), self.mode)
            os.replace(temporary, target)  # replaces a link at the name; never writes through it
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise
        self.written.append(target)
        return target

    def remove_stale(self, relative: str, suffixes: Iterable[str], keep: Iterable[Path]) -> list[str]:
        """Remove files (or links, never their targets) with these suffixes in a directory, but `keep`."""
        directory = self.directory(relative)
        kept = {path.name for path in keep if path.parent == directory}
        removed = []
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name in kept or not entry.name.endswith(tuple(suffixes)):
                    continue
                if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(entry.name)
        return removed
