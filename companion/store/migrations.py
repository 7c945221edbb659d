"""Upgrading a store written by an older Holdspace, one schema version at a time.

The main file (``holdspace.json``) carries ``meta.schema_version``. When the store
is opened and that version is older than :data:`companion.store.store.SCHEMA_VERSION`,
the steps of :data:`MIGRATIONS` run in order, each on the whole main document
(``MIGRATIONS[n]`` turns version ``n`` into ``n + 1``):

* all steps run in memory first; if one fails, nothing is written and the error
  names the step;
* a writer then keeps the old file as ``holdspace.json.v<N>-backup`` (mode 0600)
  and replaces the main file atomically with the upgraded one;
* a read-only view (``review``, ``export``, ``report``) upgrades in memory only and
  leaves every file as it was.

Version 1 is the first schema, so there are no steps yet. Each committed store
in ``fixtures/stores/v<N>/`` is opened by the tests with the current code, so a
change of format without a step (and a store of the old version) fails there.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from companion.errors import StoreError

__all__ = ["MIGRATIONS", "Document", "backup_path", "document_version", "upgrade"]

Document = dict[str, dict[str, Any]]
"""The main file as TinyDB keeps it: table name -> document id -> document."""

Step = Callable[[Document], Document]

MIGRATIONS: Final[dict[int, Step]] = {}
"""``MIGRATIONS[n]`` upgrades a version-``n`` main document to version ``n + 1``."""


def document_version(doc: Mapping[str, Mapping[str, Any]]) -> Any:
    """The ``schema_version`` in the document's ``meta`` table (None when there is none)."""
    for meta in (doc.get("meta") or {}).values():
        return meta.get("schema_version")
    return None


def _set_version(doc: Document, version: int) -> None:
    meta = doc.setdefault("meta", {})
    key = next(iter(meta), "1")
    meta[key] = {**meta.get(key, {}), "schema_version": version}


def upgrade(
    doc: Document, version: int, target: int, steps: Mapping[int, Step] | None = None
) -> Document:
    """``doc`` brought from ``version`` to ``target`` (a new document; ``doc`` is unchanged).

    Raises
    ------
    StoreError
        When a step is missing or fails; the sentence names the versions.
    """
    found = MIGRATIONS if steps is None else steps
    out = copy.deepcopy(doc)
    for n in range(version, target):
        step = found.get(n)
        if step is None:
            raise StoreError(
                f"this Holdspace cannot upgrade a store from schema version {n} to {n + 1}."
            )
        try:
            out = step(out)
        except Exception as exc:  # a step's own bug must not cost the helper the store
            raise StoreError(
                f"upgrading the store from schema version {n} to {n + 1} failed "
                f"({type(exc).__name__}: {exc}); the file is unchanged."
            ) from None
        _set_version(out, n + 1)
    return out


def backup_path(main_file: Path, version: int) -> Path:
    """Where the main file of schema ``version`` is kept before an upgrade."""
    return main_file.with_name(f"{main_file.name}.v{version}-backup")
