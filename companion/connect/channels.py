"""Sending a message to a colleague through a real channel (Apprise), secrets never shown.

A channel is an Apprise URL the helper pasted (``mailto://``, ``matrix://``, ``signal://``,
``slack://``, ``ntfy://``, ``tgram://``, ``json://`` ...). URLs hold secrets: this
module reads them only through :mod:`companion.connect.secrets`, so everything it returns
or logs is masked, and the loggers it drives ("apprise", "urllib3.connectionpool") get a
filter scrubbing every secret seen. :func:`mask_url`, :func:`secrets_of`,
:class:`SecretFilter` and :data:`MASK` are imported from there.

:func:`send_message` blocks (run it in a worker). It never raises for a network or
configuration problem; the result says what happened in one sentence, one of:

- "Sent to NAME by KIND."
- "Could not reach the mail server at HOST:PORT (connection refused): check the address
  and port." (other channels: "Could not reach HOST:PORT (connection refused): ...")
- "HOST:PORT did not answer within N s: check the address, or try again later."
- "The mail server at HOST:PORT did not accept the user name or password."
- "The mail server at HOST:PORT offers no login: check the port, or leave out the password."
- "The server at HOST:PORT did not speak e-mail (SMTP): check the port."
  (other channels: "... did not speak HTTP: check the port.")
- "Could not set up a secure (TLS) connection with HOST:PORT: check the port and the mode."
- "HOST:PORT refused the message (HTTP CODE): check the address."
  (401 and 403: "HOST:PORT did not accept the credentials (HTTP CODE): check the token
  or password.")
- "Could not find the server HOST: check the address."
- "Could not send to NAME by KIND: " + Apprise's last warning (and its detail), masked.

Where Apprise does not name the server (a hosted service), HOST:PORT reads "the KIND
server". The kind is told apart from Apprise's own log lines during the send (Apprise
catches the exceptions and logs them, the detail at DEBUG level).

The timeout bounds each connect and each wait for the server (Apprise's ``cto``/``rto``
and the SMTP socket timeout); the send itself runs in a daemon thread joined for at most
``timeout_s`` + :data:`_GRACE_S`, so a server that accepts and then trickles cannot hold
the caller (the message might still arrive after a "did not answer").

Apprise is imported lazily: it is slow to import and only needed when a channel is used.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from companion.connect.secrets import (
    instantiate_channel,
    mask_url,
    parse_channel,
    scrub,
    secrets_of,
)

__all__ = ["CHANNEL_TIMEOUT_S", "SendResult", "channel_kind", "check_channel", "send_message"]

log = logging.getLogger("holdspace.channels")

CHANNEL_TIMEOUT_S: Final = 10.0
"""Default bound on connecting to, and waiting for, a channel's server, in seconds."""

_GRACE_S: Final = 0.75
"""Time past ``timeout_s`` a send may take before the caller stops waiting, in seconds."""

_KINDS: Final = {
    "mailto": "e-mail", "mailtos": "e-mail", "matrix": "Matrix", "matrixs": "Matrix",
    "signal": "Signal", "signals": "Signal", "slack": "Slack", "msteams": "Teams",
    "workflow": "Teams", "workflows": "Teams", "ntfy": "ntfy", "ntfys": "ntfy",
    "tgram": "Telegram", "json": "JSON webhook", "jsons": "JSON webhook",
    "xml": "XML webhook", "xmls": "XML webhook", "form": "form webhook",
    "forms": "form webhook", "discord": "Discord", "mmost": "Mattermost",
    "mmosts": "Mattermost", "zulip": "Zulip", "gotify": "Gotify", "gotifys": "Gotify",
}  # fmt: skip
_WEBHOOKS: Final = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
_ENDPOINT = re.compile(r"host='([^']+)', port=(\d+)")
_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_DETAIL: Final = "Socket Exception:"  # how Apprise logs the exception behind a failure


def channel_kind(url: str) -> str:
    """Plain name of the channel for screens: "e-mail", "Matrix", "Signal", "JSON webhook"...

    Apprise's service name for the services not named here; "unknown channel" when
    Apprise does not understand the URL.
    """
    scheme = url.partition("://")[0].strip().lower()
    if scheme in _KINDS:
        return _KINDS[scheme]
    return parse_channel(url).service or "unknown channel"


def check_channel(url: str) -> str | None:
    """None when Apprise understands ``url``; else one plain sentence (the URL masked)."""
    if parse_channel(url.strip()).recognised:
        return None
    return (
        f"Holdspace does not recognise the channel address {mask_url(url)}: "
        "check it against the Apprise list of services."
    )


@dataclass(frozen=True, slots=True)
class SendResult:
    """How one send went.

    ok : whether the channel took the message.
    message : one plain sentence for the helper, secrets masked.
    channel : the channel's URL, masked (:func:`mask_url`).
    kind : the channel's plain name (:func:`channel_kind`).
    elapsed_s : time the send took, in seconds.
    """

    ok: bool
    message: str
    channel: str
    kind: str
    elapsed_s: float


@dataclass(slots=True)
class _Attempt:
    """What the sending thread found out (filled by that thread, read after it ends)."""

    sent: bool = False
    lines: list[tuple[int, str]] = field(default_factory=list, repr=False)  # hold the message
    endpoint: str | None = None
    mail: bool = False


class _AppriseTap(logging.Handler):
    """While sends are under way, Apprise logs at DEBUG into each send's own lines.

    Only what Apprise would have logged anyway goes on to the app's handlers, and never its
    DEBUG lines, whatever the app's level (``--log-level debug`` too): they hold the message
    itself. The message's title and text are cut out of every line, kept or passed on.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._sends: dict[int, tuple[list[tuple[int, str]], tuple[str, ...]]] = {}  # by thread
        self._guard = threading.Lock()
        self._saved = (logging.NOTSET, True)  # Apprise's level and propagation
        self._passed = logging.WARNING  # the lowest level passed on to the app

    @contextlib.contextmanager
    def listening(self, lines: list[tuple[int, str]], private: Sequence[str]) -> Iterator[None]:
        """Collect what Apprise logs in this thread into ``lines``, ``private`` texts cut out."""
        texts = {t for text in private for t in (text, " ".join(text.split())) if len(t) >= 4}
        apprise_log = logging.getLogger("apprise")
        with self._guard:
            if not self._sends:
                self._saved = (apprise_log.level, apprise_log.propagate)
                self._passed = max(apprise_log.getEffectiveLevel(), logging.INFO)
                apprise_log.setLevel(logging.DEBUG)
                apprise_log.propagate = False
                apprise_log.addHandler(self)
            self._sends[threading.get_ident()] = (lines, tuple(sorted(texts, key=len)[::-1]))
        try:
            yield
        finally:
            with self._guard:
                del self._sends[threading.get_ident()]
                if not self._sends:
                    apprise_log.removeHandler(self)
                    apprise_log.setLevel(self._saved[0])
                    apprise_log.propagate = self._saved[1]

    def emit(self, record: logging.LogRecord) -> None:
        lines, private = self._sends.get(record.thread or 0, (None, ()))
        message = record.getMessage()
        for text in private:
            message = message.replace(text, _MESSAGE_CUT)
        if lines is not None:
            lines.append((record.levelno, " ".join(message.split())))
        if self._saved[1] and record.levelno >= self._passed:
            record.msg, record.args = message, None
            for handler in logging.getLogger().handlers:  # as propagation would
                if record.levelno >= handler.level:
                    handler.handle(record)


_MESSAGE_CUT: Final = "[the message]"
"""What a message's title or text reads as in a line Apprise logged."""
_TAP: Final = _AppriseTap()


def _deliver(url: str, title: str, body: str, timeout_s: float, attempt: _Attempt) -> None:
    """Send through Apprise in this thread, keeping its log lines (runs in a daemon thread)."""
    import apprise

    try:
        with _TAP.listening(attempt.lines, (body, title)):
            plugin = instantiate_channel(url)
            if plugin is None:
                return
            # Each connect and each wait for the server (SMTP socket, requests' timeouts).
            plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout_s
            attempt.mail = hasattr(plugin, "smtp_host")
            if attempt.mail:
                attempt.endpoint = f"{plugin.smtp_host}:{plugin.port}"
            elif url.partition("://")[0].lower() in _WEBHOOKS and plugin.host:
                port = plugin.port or (443 if plugin.secure else 80)
                attempt.endpoint = f"{plugin.host}:{port}"
            text = apprise.NotifyFormat.TEXT
            attempt.sent = bool(plugin.notify(body=body, title=title, body_format=text))
    except Exception as exc:  # a send must never take the app down
        attempt.lines.append((logging.ERROR, f"{_DETAIL} {exc}"))


def _failure(attempt: _Attempt, *, to_name: str, kind: str, timeout_s: float) -> str:
    """One sentence telling why the send failed, from Apprise's warnings and exception
    details (not its other DEBUG lines, which hold the message itself)."""
    reasons = [s for n, s in attempt.lines if n >= logging.WARNING or s.startswith(_DETAIL)]
    text = " ".join(reasons)
    low = text.lower()
    found = _ENDPOINT.search(text)
    endpoint = f"{found[1]}:{found[2]}" if found else attempt.endpoint
    where = endpoint or f"the {kind} server"
    where_ = where[:1].upper() + where[1:]  # to begin a sentence
    status = _HTTP_STATUS.search(text)
    if attempt.mail and any(s in low for s in ("authentication", "(535", "(534")):
        return f"The mail server at {where} did not accept the user name or password."
    if any(s in low for s in ("connection refused", "errno 111", "winerror 10061")):
        server = f"the mail server at {where}" if attempt.mail else where
        return f"Could not reach {server} (connection refused): check the address and port."
    if "timed out" in low or "timeout" in low:
        return _no_answer(where, timeout_s)
    if any(s in low for s in ("ssl", "certificate", "wrong version number", "starttls")):
        return (
            f"Could not set up a secure (TLS) connection with {where}: check the port and the mode."
        )
    if status is not None:
        code = int(status[1])
        if code in (401, 403):
            return (
                f"{where_} did not accept the credentials (HTTP {code}): "
                "check the token or password."
            )
        return f"{where_} refused the message (HTTP {code}): check the address."
    if any(s in low for s in ("name or service not known", "name resolution", "nodename nor")):
        return f"Could not find the server {where.rpartition(':')[0] or where}: check the address."
    if attempt.mail and "auth extension not supported" in low:
        return (
            f"The mail server at {where} offers no login: "
            "check the port, or leave out the password."
        )
    if attempt.mail and any(s in low for s in ("(-1,", "unexpectedly closed", "not connected")):
        return f"The server at {where} did not speak e-mail (SMTP): check the port."
    if any(s in low for s in ("badstatusline", "remotedisconnected", "connection aborted")):
        return f"The server at {where} did not speak HTTP: check the port."
    warnings = [line for line in reasons if not line.startswith(_DETAIL)]
    details = [line.removeprefix(_DETAIL).strip() for line in reasons if line.startswith(_DETAIL)]
    reason = (warnings[-1] if warnings else "no reason was given").rstrip(". ")
    if details:
        reason += f" ({details[-1].rstrip('. ')})"
    return f"Could not send to {to_name} by {kind}: {reason}."


def _no_answer(where: str, timeout_s: float) -> str:
    """The sentence for a server that did not answer in time."""
    where = where[:1].upper() + where[1:]
    return f"{where} did not answer within {timeout_s:g} s: check the address, or try again later."


def send_message(
    url: str, *, to_name: str, title: str, body: str, timeout_s: float = CHANNEL_TIMEOUT_S
) -> SendResult:
    """Send ``title`` and ``body`` to ``to_name`` through the channel ``url``; blocks.

    Never raises for a network or configuration problem: returns ``ok=False`` with one
    plain sentence (see the module docstring). ``timeout_s`` bounds each connect and
    each wait for the server, in seconds; the call returns within about
    ``timeout_s`` + 0.75 s whatever the server does.
    """
    started = time.monotonic()
    url = url.strip()
    kind, channel = channel_kind(url), mask_url(url)
    secrets = secrets_of(url)

    def result(ok: bool, message: str) -> SendResult:
        elapsed_s = time.monotonic() - started
        return SendResult(ok, scrub(message, secrets), channel, kind, elapsed_s)

    problem = check_channel(url)
    if problem is not None:
        return result(False, problem)
    attempt = _Attempt()
    worker = threading.Thread(
        target=_deliver,
        args=(url, title, body, timeout_s, attempt),
        name="holdspace-channel-send",
        daemon=True,
    )
    worker.start()
    worker.join(timeout_s + _GRACE_S)
    if worker.is_alive():
        sent = result(False, _no_answer(attempt.endpoint or f"the {kind} server", timeout_s))
    elif attempt.sent:
        sent = result(True, f"Sent to {to_name} by {kind}.")
    else:
        sent = result(False, _failure(attempt, to_name=to_name, kind=kind, timeout_s=timeout_s))
    log.info("send to %s by %s (%s): %s", to_name, kind, channel, sent.message)
    return sent
