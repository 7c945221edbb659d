"""The helper's colleagues: who, how to reach them, how often to check in, and contacts made.

"Start small: connect with one colleague for regular check-ins." Each colleague has a
name as the helper wants it shown, a role (peer, supervisor, team), one or more
channels (Apprise URLs, :mod:`companion.connect.channels`), an optional check-in rhythm in
days, and the last contact: a message sent, a supervision or peer session tagged with
them, or "we talked in person".

Everything lives in ``DATA/colleagues.json``, mode 0600, written atomically under a
lock (the screen and the command line may both write it). Channel URLs hold secrets
(passwords, tokens), so they are kept in this one file only: shown masked everywhere,
never logged, never exported. The contact log records what happened (a message sent or
failed, by which kind of channel, a talk in person), never a message's text.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Final, Literal, get_args

from companion.connect.channels import check_channel
from companion.connect.secrets import mask_url
from companion.errors import HoldspaceError
from companion.store.jsonfile import read_json_object, write_private_json
from companion.store.paths import make_private_dir, open_private
from companion.store.types import local_day

__all__ = [
    "COLLEAGUES_FILE",
    "CONTACT_WAYS",
    "ROLES",
    "Colleague",
    "ColleagueBook",
    "ContactRecord",
    "ContactWay",
    "Role",
    "add_colleague",
    "due_check_ins",
    "last_contact_text",
    "load_book",
    "parse_rhythm",
    "record_contact",
    "remove_colleague",
]

COLLEAGUES_FILE: Final = "colleagues.json"
_LOCK_FILE: Final = ".colleagues.lock"
_VERSION: Final = 1
NAME_MAX_CHARS: Final = 40
CONTACT_LOG_MAX: Final = 2000
"""Contacts kept in the log; the oldest go first."""
_DAY_S: Final = 86_400.0

Role = Literal["peer", "supervisor", "team"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

ContactWay = Literal["message", "in_person", "session", "test"]
"""How a contact happened: a message sent, a talk in person, a supervision or peer
session tagged with the colleague, or a channel's test message (which is no contact)."""
CONTACT_WAYS: Final[tuple[ContactWay, ...]] = get_args(ContactWay)

_RHYTHM_WORDS: Final = {"daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14, "monthly": 30}
_RHYTHM = re.compile(r"^\s*(\d+)\s*(d|day|days|w|wk|week|weeks)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Colleague:
    """One colleague.

    Attributes
    ----------
    name : as the helper wants it shown (unique, compared without case).
    role : ``"peer"``, ``"supervisor"`` or ``"team"`` (a team channel).
    channels : Apprise URLs, tried in order. Secret: show :meth:`masked_channels` (the
        repr does).
    every_days : the check-in rhythm in days; None for no rhythm.
    added_s : when the colleague was added, epoch seconds.
    last_contact_s : the last contact, epoch seconds; None before the first.
    last_contact_way : how it happened (see :data:`ContactWay`).
    """

    name: str
    role: Role = "peer"
    channels: tuple[str, ...] = ()
    every_days: int | None = None
    added_s: float = 0.0
    last_contact_s: float | None = None
    last_contact_way: ContactWay | None = None

    def masked_channels(self) -> tuple[str, ...]:
        """The channels with their secrets replaced by ``***``."""
        return tuple(mask_url(url) for url in self.channels)

    def __repr__(self) -> str:
        """The fields, the channels masked: a crash report prints the locals it finds."""
        return (
            f"Colleague(name={self.name!r}, role={self.role!r}, "
            f"channels={self.masked_channels()!r}, every_days={self.every_days!r}, "
            f"added_s={self.added_s!r}, last_contact_s={self.last_contact_s!r}, "
            f"last_contact_way={self.last_contact_way!r})"
        )

    def days_since_contact(self, now_s: float) -> int:
        """Whole days since the last contact (since being added, before the first)."""
        since = self.last_contact_s if self.last_contact_s is not None else self.added_s
        return max(0, math.floor((now_s - since) / _DAY_S))

    def overdue(self, now_s: float) -> bool:
        """Whether the check-in rhythm has passed."""
        return self.every_days is not None and self.days_since_contact(now_s) >= self.every_days

    def to_json(self, *, secrets: bool) -> dict[str, Any]:
        """The colleague as JSON; channels masked unless ``secrets`` (the file itself)."""
        return {
            "name": self.name,
            "role": self.role,
            "channels": list(self.channels if secrets else self.masked_channels()),
            "every_days": self.every_days,
            "added_s": self.added_s,
            "last_contact_s": self.last_contact_s,
            "last_contact_way": self.last_contact_way,
        }


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One contact (or attempt).

    Attributes
    ----------
    t_s : when, epoch seconds.
    name : the colleague.
    way : see :data:`ContactWay`.
    ok : the message went out (always True for in person and sessions).
    detail : the plain result sentence, secrets masked ("Sent to Sam by e-mail.").
    channel_kind : "e-mail", "Matrix", ... for messages; None otherwise.
    prompt_id : the prompt that led to it, if any.
    """

    t_s: float
    name: str
    way: ContactWay
    ok: bool
    detail: str = ""
    channel_kind: str | None = None
    prompt_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "t_s": self.t_s,
            "name": self.name,
            "way": self.way,
            "ok": self.ok,
            "detail": self.detail,
            "channel_kind": self.channel_kind,
            "prompt_id": self.prompt_id,
        }


@dataclass(frozen=True, slots=True)
class ColleagueBook:
    """The colleagues and the contact log, as read from the file."""

    colleagues: tuple[Colleague, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()

    def find(self, name: str) -> Colleague:
        """The colleague called ``name`` (any case); a plain error naming the known ones."""
        wanted = name.strip().casefold()
        for colleague in self.colleagues:
            if colleague.name.casefold() == wanted:
                return colleague
        known = ", ".join(c.name for c in self.colleagues) or "none yet"
        raise HoldspaceError(
            f"no colleague called {name.strip()!r} (known: {known}); add one with "
            "`holdspace colleagues add NAME --channel URL`."
        )

    def last_failure(self, name: str) -> ContactRecord | None:
        """The colleague's last entry in the contact log, when it is a failed attempt.

        A message or test message no channel took stays the colleague's news until
        something comes after it: a message or test that went out, a talk in person,
        a session with them. (:func:`~companion.connect.contact.send_to` logs each channel it
        tries in turn, so a second channel that took the message clears the first's
        failure.)
        """
        wanted = name.strip().casefold()
        for record in reversed(self.contacts):
            if record.name.casefold() == wanted:
                return None if record.ok else record
        return None

    def contact_days(self) -> set[str]:
        """Local ISO dates with at least one real contact (not a test, not a failure)."""
        return {local_day(c.t_s).isoformat() for c in self.contacts if c.ok and c.way != "test"}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "colleagues": [c.to_json(secrets=True) for c in self.colleagues],
            "contacts": [c.to_json() for c in self.contacts],
        }


def parse_rhythm(text: str) -> int:
    """Days between check-ins, from ``7d``, ``2w``, ``10``, ``weekly``, ``monthly`` and such."""
    word = text.strip().lower()
    if word in _RHYTHM_WORDS:
        return _RHYTHM_WORDS[word]
    found = _RHYTHM.match(word)
    if found is None or int(found.group(1)) < 1:
        raise HoldspaceError(
            f"{text!r} is not a check-in rhythm; use days or weeks like 7d, 2w, or weekly."
        )
    days = int(found.group(1)) * (7 if (found.group(2) or "d").startswith("w") else 1)
    if days > 365:
        raise HoldspaceError(f"a check-in rhythm of {days} days is too long; use at most 365.")
    return days


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / COLLEAGUES_FILE


def load_book(data_dir: Path) -> ColleagueBook:
    """The colleague book of ``data_dir`` (empty when there is no file yet)."""
    path = _path(data_dir)
    doc = read_json_object(path, "colleagues", "move it aside to start with no colleagues")
    if doc is None:
        return ColleagueBook()
    try:
        colleagues = tuple(_colleague(raw) for raw in doc.get("colleagues", []))
        contacts = tuple(_contact(raw) for raw in doc.get("contacts", []))
    except (TypeError, ValueError, KeyError) as exc:
        raise HoldspaceError(
            f"{path} holds an entry Holdspace cannot read ({exc}); fix it or move it aside."
        ) from None
    return ColleagueBook(colleagues, contacts)


def _colleague(raw: Any) -> Colleague:
    if not isinstance(raw, dict):
        raise ValueError("a colleague must be an object")
    role = raw.get("role", "peer")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    way = raw.get("last_contact_way")
    if way is not None and way not in CONTACT_WAYS:
        raise ValueError(f"unknown contact way {way!r}")
    every = raw.get("every_days")
    last = raw.get("last_contact_s")
    return Colleague(
        name=str(raw["name"]),
        role=role,
        channels=tuple(str(url) for url in raw.get("channels", [])),
        every_days=None if every is None else int(every),
        added_s=float(raw.get("added_s", 0.0)),
        last_contact_s=None if last is None else float(last),
        last_contact_way=way,
    )


def _contact(raw: Any) -> ContactRecord:
    if not isinstance(raw, dict) or raw.get("way") not in CONTACT_WAYS:
        raise ValueError("a contact needs a known 'way'")
    kind = raw.get("channel_kind")
    prompt_id = raw.get("prompt_id")
    return ContactRecord(
        t_s=float(raw["t_s"]),
        name=str(raw["name"]),
        way=raw["way"],
        ok=bool(raw["ok"]),
        detail=str(raw.get("detail", "")),
        channel_kind=None if kind is None else str(kind),
        prompt_id=None if prompt_id is None else str(prompt_id),
    )


@contextlib.contextmanager
def _editing(data_dir: Path) -> Iterator[list[ColleagueBook]]:
    """Read, let the block replace ``box[0]``, write back: all under the file's lock."""
    directory = Path(data_dir)
    try:
        make_private_dir(directory)
        lock_fd = open_private(directory / _LOCK_FILE, os.O_WRONLY | os.O_APPEND)
        fh = os.fdopen(lock_fd, "a", encoding="utf-8")
    except OSError as exc:
        raise HoldspaceError(f"cannot write in {directory} ({exc.strerror}).") from None
    with fh:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            pass
        box = [load_book(directory)]
        before = box[0]
        yield box
        if box[0] is not before:
            write_private_json(_path(directory), box[0].to_json())


def _check_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise HoldspaceError("a colleague needs a name (as you want it shown).")
    if len(text) > NAME_MAX_CHARS or not text.isprintable():
        raise HoldspaceError(
            f"the name {text[:NAME_MAX_CHARS]!r}… is too long; keep it to {NAME_MAX_CHARS} "
            "characters."
            if len(text) > NAME_MAX_CHARS
            else "a colleague's name must be printable text."
        )
    return text


def add_colleague(
    data_dir: Path,
    name: str,
    channels: Sequence[str],
    *,
    role: str = "peer",
    every_days: int | None = None,
    now_s: float,
) -> Colleague:
    """Add a colleague (or replace the channels, role and rhythm of one with that name)."""
    text = _check_name(name)
    if role not in ROLES:
        raise HoldspaceError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    if not channels:
        raise HoldspaceError("give at least one channel, an Apprise URL such as mailto://…")
    for url in channels:
        problem = check_channel(url)
        if problem is not None:
            raise HoldspaceError(problem)
    with _editing(data_dir) as box:
        book = box[0]
        kept = [c for c in book.colleagues if c.name.casefold() != text.casefold()]
        old = next((c for c in book.colleagues if c.name.casefold() == text.casefold()), None)
        colleague = Colleague(
            name=text,
            role=role,
            channels=tuple(channels),
            every_days=every_days,
            added_s=old.added_s if old is not None else now_s,
            last_contact_s=old.last_contact_s if old is not None else None,
            last_contact_way=old.last_contact_way if old is not None else None,
        )
        box[0] = replace(book, colleagues=(*kept, colleague))
    return colleague


def remove_colleague(data_dir: Path, name: str) -> Colleague:
    """Remove a colleague and their channels (the contact log keeps its entries)."""
    with _editing(data_dir) as box:
        book = box[0]
        gone = book.find(name)
        box[0] = replace(book, colleagues=tuple(c for c in book.colleagues if c is not gone))
    return gone


def record_contact(data_dir: Path, record: ContactRecord) -> Colleague | None:
    """Log a contact; a real one (not a test, not a failure) becomes the last contact.

    Returns the updated colleague (None when no colleague has that name any more).
    """
    with _editing(data_dir) as box:
        book = box[0]
        contacts = (*book.contacts, record)[-CONTACT_LOG_MAX:]
        updated: Colleague | None = None
        colleagues = list(book.colleagues)
        for i, colleague in enumerate(colleagues):
            if colleague.name.casefold() != record.name.casefold():
                continue
            updated = colleague
            counts = record.ok and record.way != "test"
            newer = colleague.last_contact_s is None or record.t_s >= colleague.last_contact_s
            if counts and newer:
                updated = replace(colleague, last_contact_s=record.t_s, last_contact_way=record.way)
                colleagues[i] = updated
        box[0] = ColleagueBook(tuple(colleagues), contacts)
    return updated


def due_check_ins(book: ColleagueBook, now_s: float) -> dict[str, int]:
    """Colleagues whose check-in rhythm has passed: name to whole days since the last contact."""
    return {c.name: c.days_since_contact(now_s) for c in book.colleagues if c.overdue(now_s)}


def last_contact_text(colleague: Colleague, now_s: float, tz: tzinfo | None = None) -> str:
    """The last contact in calendar days of the local time zone (``tz``, default the
    system's): "last contact today", "last contact yesterday", "last contact 3 days ago",
    or "no contact yet". Calendar days, not 24-hour periods: a talk last night is
    "yesterday" this morning, though fewer than 24 hours have passed."""
    if colleague.last_contact_s is None:
        return "no contact yet"
    then = datetime.fromtimestamp(colleague.last_contact_s, tz).date()
    days = (datetime.fromtimestamp(now_s, tz).date() - then).days
    if days <= 0:
        return "last contact today"
    return "last contact yesterday" if days == 1 else f"last contact {days} days ago"
