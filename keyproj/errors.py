"""User-facing errors: each renders as one line naming the file or parameter and what to do."""
from __future__ import annotations

from pathlib import Path


class KeyprojError(Exception):
    """A problem caused by the user's input, shown as one line without a traceback."""


class BadInputError(KeyprojError):
    """A file that cannot be used; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Worker processes send errors back pickled.
        return (type(self), (self.path, self.reason))
