"""Desktop notifications for a shown prompt: which way, what it says, and the desktop fallback.

A prompt that reaches the screen can also tap the helper on the shoulder when the
terminal is hidden. Terminals that show notifications take an escape sequence
(:func:`terminal_method` picks it from the environment, :func:`osc_sequence`
builds it; the screen writes it through Textual's driver). Elsewhere the desktop's
own notifier is used through Apprise (:func:`desktop_notify`, imported lazily).

Texts are kind and short, and carry no numbers: a notification is an invitation,
not a reading. Nothing is ever raised inside a client session (or inside any
session when the helper asked for that): :meth:`companion.settings.Settings.quiet_during`.

References: iTerm2 proprietary escape codes (OSC 9); the ``notify`` extension of
urxvt, foot and VTE (OSC 777); kitty's desktop notification protocol (OSC 99).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Final, Literal

__all__ = [
    "NOTIFY_TITLE",
    "TerminalMethod",
    "desktop_notify",
    "desktop_notify_failure",
    "desktop_url",
    "osc_sequence",
    "prompt_text",
    "terminal_method",
]

log = logging.getLogger("holdspace.notify")

TerminalMethod = Literal["osc9", "osc777", "osc99"]
"""An escape sequence a terminal turns into a desktop notification."""

NOTIFY_TITLE: Final = "Holdspace"
_MAX_BODY_CHARS: Final = 120
_BEL: Final = "\x07"
_ST: Final = "\x1b\\"

_TEXTS: Final = {
    "pause": "A moment for a short pause, when you can.",
    "breathe": "A few slow breaths might help now.",
    "contact": "It may be a good time to reach out to a colleague.",
}

_OSC9_PROGRAMS: Final = frozenset({"iterm.app", "wezterm", "ghostty"})


def prompt_text(kind: str) -> tuple[str, str]:
    """Title and body of the notification for a prompt of ``kind`` (pause, breathe, contact)."""
    return NOTIFY_TITLE, _TEXTS.get(kind, "A moment for yourself, when you can.")


def terminal_method(env: Mapping[str, str]) -> TerminalMethod | None:
    """The notification escape sequence the terminal in ``env`` understands, or None.

    kitty (``KITTY_WINDOW_ID``, ``TERM=xterm-kitty``) takes OSC 99; iTerm2, WezTerm,
    ghostty (``TERM_PROGRAM``) and Windows Terminal (``WT_SESSION``) take OSC 9;
    foot, urxvt and VTE-based terminals (``TERM``, ``VTE_VERSION``) take OSC 777.
    Inside tmux or screen the outer terminal is unknown (and the sequence would not
    reach it), so None: the desktop notifier is used instead.
    """
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if env.get("TMUX") or env.get("STY") or term.startswith(("screen", "tmux")):
        return None
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return "osc99"
    if program in _OSC9_PROGRAMS or term == "xterm-ghostty" or env.get("WT_SESSION"):
        return "osc9"
    if term.startswith(("foot", "rxvt-unicode")) or env.get("VTE_VERSION"):
        return "osc777"
    return None


def _clean(text: str) -> str:
    """One line without control characters, short enough for any notifier."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= _MAX_BODY_CHARS else flat[: _MAX_BODY_CHARS - 1] + "…"


def osc_sequence(method: TerminalMethod, title: str, body: str) -> str:
    """The escape sequence raising a notification with ``title`` and ``body``."""
    title, body = _clean(title), _clean(body)
    match method:
        case "osc9":  # one text only
            return f"\x1b]9;{title}: {body}{_BEL}"
        case "osc777":  # ';' separates the fields
            return f"\x1b]777;notify;{title.replace(';', ',')};{body.replace(';', ',')}{_BEL}"
        case "osc99":  # title first (d=0: more to come), then the body
            return f"\x1b]99;i=holdspace:d=0;{title}{_ST}\x1b]99;i=holdspace:p=body;{body}{_ST}"


def desktop_url(platform: str = sys.platform) -> str | None:
    """The Apprise URL of this platform's desktop notifier, or None where there is none."""
    if platform.startswith("linux") or platform.startswith("freebsd"):
        return "dbus://"
    if platform == "darwin":
        return "macosx://"
    if platform in ("win32", "cygwin"):
        return "windows://"
    return None


def desktop_notify(title: str, body: str, url: str | None = None) -> bool:
    """Show a notification through the desktop's notifier (Apprise); True when it went out.

    Blocking (run it off the event loop). Failures (no Apprise, no D-Bus, no
    notification service) are logged quietly and return False; nothing is raised.
    """
    return desktop_notify_failure(title, body, url) is None


def desktop_notify_failure(title: str, body: str, url: str | None = None) -> str | None:
    """As :func:`desktop_notify`; None when the notification went out, else why not, in
    a few words ("dbus:// is disabled on this system")."""
    url = url if url is not None else desktop_url()
    if url is None:
        log.info("no desktop notifier on this platform")
        return "no desktop notifier on this platform"
    try:
        import apprise  # lazily: only when a notification goes out this way
    except ImportError:
        log.info("desktop notifications need Apprise, which is not installed")
        return "Apprise is not installed"
    # Apprise logs its failures as errors; keep them in our quiet log instead (they do
    # not reach the root logger, so never DATA/holdspace.log as an ERROR).
    apprise_log = logging.getLogger("apprise")
    propagate, apprise_log.propagate = apprise_log.propagate, False
    try:
        with apprise.LogCapture(level=logging.INFO, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            try:
                notifier = apprise.Apprise()
                added = notifier.add(url)
                sent = added and bool(notifier.notify(body=_clean(body), title=_clean(title)))
            except Exception as exc:  # a notifier must never take the app down
                log.info("desktop notification failed: %s", exc)
                return str(exc) or type(exc).__name__
    finally:
        apprise_log.propagate = propagate
    if sent:
        return None
    detail = " ".join(str(captured.getvalue()).split())
    log.info("desktop notification through %s did not go out: %s", url, detail or "no reason")
    return detail.rstrip(".") or f"{url} did not take it"
