"""Errors a person can act on. The CLI prints their message as one sentence, no traceback."""

from __future__ import annotations

__all__ = ["HoldspaceError", "StoreError", "StoreLockedError"]


class HoldspaceError(Exception):
    """A problem caused by input or environment, explained in one sentence."""


class StoreError(HoldspaceError):
    """The local store cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another Holdspace process is writing to the same store."""
