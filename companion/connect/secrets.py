"""Secrets in channel URLs: finding them, masking them, scrubbing them from logs.

A channel is an Apprise URL the helper pasted; it can hold a password, a token or an API
key. This module reads a URL whole and says what in it is secret:

- :func:`mask_url`: the URL for screens and logs. It keeps the scheme, the user name, the
  host and port, and only what the safe list below allows; the password, every other path
  segment and every other query value read :data:`MASK` (``***``).
- :func:`secrets_of`: the secret substrings of a URL, at least four characters each,
  longest first, for scrubbing logs: what Apprise's own privacy rendering hides, the
  password, path segments that look like tokens, the values of query parameters named
  like secrets, and every other part :func:`mask_url` masks that is at least
  :data:`_MIN_LOGGED_PART_CHARS` long (shorter ones are words such as ``hook`` or ``api``,
  which scrubbing would blank from every log line).
- :class:`SecretFilter`: a logging filter replacing registered secrets with ``***``.
- :func:`scrub_handler`: puts the module-wide filter on a handler (the log file, stderr),
  so it writes no secret of any URL read in this process, whichever logger a line came from.

The safe list (shown as written, unless Apprise's privacy rendering hides it):

- path segments that are e-mail addresses (``kim@example.org``), telephone numbers
  (``+12345678901``) or Matrix ids with a server (``!room:example.org``,
  ``#team:example.org``, ``@sam:example.org``);
- after ``#``, channel and room names (``#general``, ``#team``);
- the values of the query parameters in :data:`SAFE_QUERY_KEYS` (``to``, ``from``,
  ``name``, ``mode``, ...): addresses, names and settings, never credentials.

Everything else in a path or query is masked, words without digits too: a webhook's
``/webhook/ourclinicsecret`` reads ``/***/***``. A URL Apprise cannot read keeps only its
scheme, user name and host.

Every URL read here has its secrets registered with one module-wide filter guarding the
loggers a send writes to ("apprise", "urllib3.connectionpool") before Apprise sees it.
:mod:`companion.connect.channels` sends through these helpers (:func:`parse_channel`,
:func:`instantiate_channel`, :func:`scrub`); callers import the public names from here.

Apprise is imported lazily: it is slow to import and only needed when a channel is used.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote, urlsplit

__all__ = [
    "MASK",
    "SAFE_QUERY_KEYS",
    "ParsedChannel",
    "SecretFilter",
    "instantiate_channel",
    "mask_url",
    "parse_channel",
    "scrub",
    "scrub_handler",
    "secrets_of",
]

MASK: Final = "***"
"""What a secret reads as once masked."""

SAFE_QUERY_KEYS: Final = frozenset(
    {"to", "cc", "bcc", "from", "reply", "name", "smtp", "mode", "format", "overflow", "priority"}
)
"""Query parameters whose values :func:`mask_url` shows: recipients, names and settings."""

_MIN_SECRET_CHARS: Final = 4
_MIN_LOGGED_PART_CHARS: Final = 8
"""A masked part this long or longer is scrubbed from logs too (see the module docstring)."""
_GUARDED_LOGGERS: Final = ("apprise", "urllib3.connectionpool")

_SECRET_KEY = re.compile(r"token|key|secret|pass|pwd|sig|hook|access|credential", re.I)
_HOSTISH = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?")
_URL_PARTS = re.compile(r"[/:@?&=#,]+")
_SAFE_SEGMENT = re.compile(
    r"[^@/\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"  # an e-mail address
    r"|\+?[0-9]{5,15}"  # a telephone number
    r"|[!#@][^:/\s]+:[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?"  # a Matrix id with its server
)
_SAFE_NAME = re.compile(  # a channel or room name after '#', with its server or without
    r"[A-Za-z0-9_.-]{1,80}(:[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?)?"
)


def _tokenish(part: str) -> bool:
    """Whether a path segment or value looks like a token (letters and digits, or long)."""
    if len(part) < _MIN_SECRET_CHARS or "@" in part or _HOSTISH.fullmatch(part):
        return False
    if _HOSTISH.fullmatch(part.rpartition(":")[2]):  # a Matrix-like id: !room:example.org
        return False
    mixed = any(c.isdigit() for c in part) and any(c.isalpha() for c in part)
    return (mixed and len(part) >= 8) or len(part) >= 16


def _structural_secrets(url: str, *, every_part: bool) -> set[str]:
    """Secrets found by the URL's shape: password, token-like parts, secret query values.

    ``every_part`` (for URLs Apprise cannot read) takes every path segment and query value.
    """
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return found
    if password:
        found.add(unquote(password))
    if every_part and parts.username and _tokenish(unquote(parts.username)):
        found.add(unquote(parts.username))
    for segment in parts.path.split("/"):
        segment = unquote(segment)
        masked = len(segment) >= _MIN_LOGGED_PART_CHARS and not _SAFE_SEGMENT.fullmatch(segment)
        if masked or _tokenish(segment) or (every_part and not _HOSTISH.fullmatch(segment)):
            found.add(segment)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        plain = _HOSTISH.fullmatch(value) or "@" in value
        masked = len(value) >= _MIN_LOGGED_PART_CHARS and key.lower() not in SAFE_QUERY_KEYS
        if masked or _SECRET_KEY.search(key) or _tokenish(value) or (every_part and not plain):
            found.add(value)
    return found


@dataclass(frozen=True, slots=True)
class ParsedChannel:
    """What Apprise made of a URL: understood or not, its service name and secrets.

    Its repr leaves the secrets out (a crash report prints the locals it finds).
    """

    recognised: bool
    service: str | None
    secrets: tuple[str, ...] = field(repr=False)


def instantiate_channel(url: str) -> Any:
    """Apprise's plugin for ``url``, or None (the scrubbing filter knows its secrets first)."""
    import apprise  # lazily: slow to import, only needed when a channel is used

    _BOUNDARY.add_secrets(_structural_secrets(url, every_part=False))
    _BOUNDARY.guard()
    try:
        return apprise.Apprise.instantiate(url)
    except Exception:  # Apprise suppresses plugin errors; this is a last resort
        return None


@functools.lru_cache(maxsize=64)
def parse_channel(url: str) -> ParsedChannel:
    """Read ``url`` once: Apprise's plugin, and the secrets its privacy rendering hides."""
    plugin = instantiate_channel(url)
    if plugin is None:
        found = _structural_secrets(url, every_part=True)
        return ParsedChannel(False, None, _long_first(found))
    plain, private = str(plugin.url(privacy=False)), str(plugin.url(privacy=True))
    hidden = _url_tokens(plain) - _url_tokens(private)
    hidden |= {piece for secret in hidden for piece in secret.split(":")}
    found = hidden | _structural_secrets(url, every_part=False)
    _BOUNDARY.add_secrets(found)
    return ParsedChannel(True, str(plugin.service_name), _long_first(found))


def _url_tokens(url: str) -> set[str]:
    """The parts of a URL between its delimiters, unquoted."""
    return {unquote(token) for token in _URL_PARTS.split(url) if token}


def _long_first(found: Iterable[str]) -> tuple[str, ...]:
    """Secrets of at least four characters, longest first (so replacing them nests well)."""
    kept = {s for s in found if len(s) >= _MIN_SECRET_CHARS}
    return tuple(sorted(kept, key=lambda s: (-len(s), s)))


def _forms(secret: str) -> set[str]:
    """A secret as it may appear: raw, URL-quoted, and quoted with '/' too."""
    return {secret, quote(secret), quote(secret, safe="")}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of each secret replaced by ``***``."""
    for form in sorted({f for s in secrets for f in _forms(s)}, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def secrets_of(url: str) -> tuple[str, ...]:
    """The secret substrings of ``url``, at least four characters each, longest first.

    Passwords, tokens and API keys (what Apprise's privacy rendering hides), path
    segments that look like tokens, and the values of query parameters named like
    secrets. For a URL Apprise cannot read: every path segment and query value too.
    """
    return parse_channel(url).secrets


def _mask_userinfo(netloc: str, *, token_user: bool = False) -> str:
    """``user:***@host`` for a network location with a password (of any length).

    ``token_user``: a user name or host that looks like a token becomes ``***`` too.
    """
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    if token_user and _tokenish(unquote(host)):
        hostport = f"{MASK}{colon}{port}"
    if not at:
        return hostport
    user, colon, _ = userinfo.partition(":")
    if token_user and _tokenish(unquote(user)):
        user = MASK
    return f"{user}:{MASK}@{hostport}" if colon else f"{user}@{hostport}"


def mask_url(url: str) -> str:
    """``url`` for screens and logs: scheme, user name, host and port, and the safe list.

    The password, every path segment, query value and ``#`` name outside the safe list
    (see the module docstring), and whatever Apprise's privacy rendering
    (``plugin.url(privacy=True)``) hides, read ``***``. A URL Apprise cannot read keeps
    only its scheme, user and host.
    """
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return MASK
    parsed = parse_channel(url.strip())
    cut = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    if not parsed.recognised:
        parts = urlsplit(f"{scheme}://{netloc}{tail}")
        path = "/".join(
            s if not s or _HOSTISH.fullmatch(unquote(s)) else MASK for s in parts.path.split("/")
        )
        query = f"?{MASK}" if parts.query else ""
        fragment = f"#{MASK}" if parts.fragment else ""
        return f"{scheme}://{_mask_userinfo(netloc, token_user=True)}{path}{query}{fragment}"
    netloc = _mask_userinfo(scrub(netloc, parsed.secrets))
    path, _, fragment = tail.partition("#")
    path, question, query = path.partition("?")
    if not question:  # a '#' before the '?': ...#room?x=1
        fragment, question, query = fragment.partition("?")
    path = "/".join(_safe_or_mask(s, _SAFE_SEGMENT, parsed) for s in path.split("/"))
    names = "#".join(_safe_or_mask(s, _SAFE_NAME, parsed) for s in fragment.split("#"))
    shown = f"{scheme}://{netloc}{path}"
    if "#" in tail:
        shown += f"#{names}"
    if question:
        shown += "?" + "&".join(_mask_query_item(item, parsed) for item in query.split("&"))
    return shown


def _safe_or_mask(part: str, safe: re.Pattern[str], parsed: ParsedChannel) -> str:
    """A path segment or ``#`` name as written when it is on the safe list, else ``***``."""
    if not part:
        return part
    slashed = part.split("/")  # '#' names may carry on with '/#other'
    if len(slashed) > 1:
        return "/".join(_safe_or_mask(p, safe, parsed) for p in slashed)
    plain = unquote(part)
    if safe.fullmatch(plain) and scrub(plain, parsed.secrets) == plain:
        return part
    return MASK


def _mask_query_item(item: str, parsed: ParsedChannel) -> str:
    """``key=value`` with the value masked unless the key is in :data:`SAFE_QUERY_KEYS`."""
    key, equals, value = item.partition("=")
    if not value:
        return item
    if unquote(key).lower() in SAFE_QUERY_KEYS:
        return f"{key}{equals}{scrub(value, parsed.secrets)}"
    return f"{key}{equals}{MASK}"


class SecretFilter(logging.Filter):
    """A logging filter replacing registered secrets with ``***`` in log records.

    The message is formatted (``msg % args``) and scrubbed; so are a formatted
    traceback and stack. Records are never dropped.
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._forms: tuple[str, ...] = ()  # longest first
        self._lock = threading.Lock()

    def add(self, url: str) -> None:
        """Register the secrets of ``url`` (:func:`secrets_of`)."""
        self.add_secrets(secrets_of(url))

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Register secret strings (shorter than four characters are ignored)."""
        new = {f for s in _long_first(secrets) for f in _forms(s)}
        with self._lock:
            self._forms = tuple(sorted(new.union(self._forms), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub ``record`` in place; always keep it."""
        if not self._forms:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True

    def install(self) -> None:
        """Attach to the root logger's handlers and to the "apprise" and "holdspace" loggers."""
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)
        for name in ("apprise", "holdspace"):
            logging.getLogger(name).addFilter(self)

    def guard(self) -> None:
        """Attach to the loggers a send writes to (Apprise's and urllib3's), at the source."""
        for name in _GUARDED_LOGGERS:
            logging.getLogger(name).addFilter(self)


_BOUNDARY: Final = SecretFilter()
"""Scrubs every secret of every URL this module has read from Apprise's and urllib3's logs."""


def scrub_handler(handler: logging.Handler) -> None:
    """Let ``handler`` write no secret of any channel URL read in this process, before or after.

    Logger filters see only what is logged on that logger; a handler's filter sees every
    line it writes, from whichever logger (Apprise's plugins, urllib3, Holdspace's own).
    """
    handler.addFilter(_BOUNDARY)
