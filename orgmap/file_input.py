"""Reading a file someone named: a regular file only, and never more than a limit.

``import FILE``, the upload page and ``ORGMAP_ROUTING_WEIGHTS`` all read through
here.  A size from ``stat`` is 0 for a device, so checking it and then reading
everything let ``/dev/zero`` (or a symlink to it) grow the process until it was
killed, and a FIFO blocked forever.  Now only regular files are read (checked
after following symlinks, and again on the opened descriptor, which is opened
non-blocking so a FIFO swapped in between cannot block), and never more than the
limit plus one byte, whatever the file claims.  Standard library only: the pure
routing code reads its weights file through it too.

>>> import io
>>> read_limited(io.BytesIO(b"12345"), max_bytes=5, name="five")
b'12345'
>>> read_limited(io.BytesIO(b"123456"), max_bytes=5, name="six")
Traceback (most recent call last):
    ...
orgmap.file_input.FileTooLargeError: six is more than 5 bytes; the limit is 5
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

__all__ = ["FileRefusedError", "FileTooLargeError", "read_limited", "read_regular_file"]

_CHUNK = 1024 * 1024
# Non-blocking: opening a FIFO without a writer returns at once instead of waiting.
# No controlling terminal, not inherited by child processes.  (0 where unsupported.)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class FileRefusedError(ValueError):
    """A file that is not read: missing, unreadable, not a regular file, or too big.

    ``str()`` is one line, ``"{name}: {reason}"``; ``reason`` alone reads after a
    caller's own prefix.
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class FileTooLargeError(FileRefusedError):
    """A file above the limit; ``size`` is its size, or ``None`` when it only showed
    itself bigger while being read (then it is more than ``limit``)."""

    def __init__(self, name: str, *, size: int | None, limit: int) -> None:
        self.size = size
        self.limit = limit
        shown = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
        super().__init__(name, f"{shown}; the limit is {limit:,}")

    def __str__(self) -> str:  # "big.json is 2,000 bytes; …" reads better than "big.json: …"
        return f"{self.name} is {self.reason}"


def read_regular_file(path: str | os.PathLike[str], *, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``max_bytes``.

    Raises
    ------
    FileTooLargeError
        If the file is bigger than ``max_bytes`` (before or while reading).
    FileRefusedError
        If there is no such file, it cannot be opened, or it is not a regular file
        (a folder, a device such as ``/dev/zero``, a FIFO, a socket).
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except (OSError, ValueError) as exc:
        raise _refused(name, exc) from None
    _check_kind(name, info)
    try:
        fd = os.open(name, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:
        raise _refused(name, exc) from None
    with open(fd, "rb", buffering=0) as stream:
        info = os.fstat(fd)  # what was opened, not what the name pointed to a moment ago
        _check_kind(name, info)
        if info.st_size > max_bytes:
            raise FileTooLargeError(name, size=info.st_size, limit=max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads never wait anyway
        return read_limited(stream, max_bytes=max_bytes, name=name)


def read_limited(stream: BinaryIO, *, max_bytes: int, name: str, size: int | None = None) -> bytes:
    """Read ``stream`` to its end, but never more than ``max_bytes`` + 1 bytes.

    ``size`` is what the stream says it holds (an upload's size), checked first so
    that a file known to be too big is not read at all.

    Raises :class:`FileTooLargeError` when there is more than ``max_bytes``.
    """
    if size is not None and size > max_bytes:
        raise FileTooLargeError(name, size=size, limit=max_bytes)
    chunks: list[bytes] = []
    left = max_bytes + 1  # one byte more tells "exactly the limit" from "above it"
    while left > 0:
        chunk = stream.read(min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    if left <= 0:
        raise FileTooLargeError(name, size=None, limit=max_bytes)
    return b"".join(chunks)


def _check_kind(name: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefusedError(name, f"{_kind(info.st_mode)}, not a regular file")


def _kind(mode: int) -> str:
    """What a non-regular file is, for a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refused(name: str, exc: OSError | ValueError) -> FileRefusedError:
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return FileRefusedError(name, "no such file")
    if isinstance(exc, PermissionError):
        return FileRefusedError(name, "permission denied")
    if isinstance(exc, OSError):
        return FileRefusedError(name, exc.strerror or type(exc).__name__)
    return FileRefusedError(name, "not a usable file name")  # e.g. an embedded NUL
