"""The helper's settings: the remembered strap, prompt thresholds, quiet, pacer, alerts.

They live in ``DATA_DIR/settings.json``, a small JSON object the helper may also
edit by hand. :func:`load_settings` reads it (a missing file gives the defaults;
unknown keys are ignored with a warning; a bad value is one sentence naming the
file and the key, never a traceback) and :func:`save_settings` writes it
atomically: a temporary file, flushed and fsynced, then swapped in, so a crash
leaves the old or the new file, never half of one.

Nothing here imports Textual; the settings screen lives in :mod:`tui.modals.settings`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, Literal, get_args

from companion.connect.calendar.rules import DEFAULT_RULES, KindRule, KindRules
from companion.errors import HoldspaceError
from companion.prompts.holding import SALT_BYTES, HoldDraw
from companion.prompts.types import MEDIUM_BAND_MIN, PolicyConfig
from companion.store.forget import ForgetResult, apply_retention
from companion.store.jsonfile import read_json_object, write_private_json
from companion.store.paths import make_private_dir
from companion.store.store import Store
from sensors.events import SESSION_KINDS
from signals.breathing.pacer import (
    PATTERNS,
    RATE_RANGE_PER_MIN,
    BreathPattern,
    pattern_named,
    with_rate,
)

__all__ = [
    "CONTACT_LOAD_RANGE",
    "DAILY_CAP_RANGE",
    "HIGH_MINUTES_RANGE",
    "HIGH_STRESS_RANGE",
    "HOLD_PROBABILITY_RANGE",
    "QUIET_IN",
    "SETTINGS_FILE",
    "STRAP_SETTING",
    "QuietIn",
    "Settings",
    "SettingsError",
    "apply_retention_setting",
    "fresh_learning_salt",
    "load_settings",
    "save_settings",
    "settings_path",
]

STRAP_SETTING: Final = "strap_address"
"""The store setting in which the recorder remembers the strap it connected to."""

log = logging.getLogger("holdspace.settings")
_forget_log = logging.getLogger("holdspace.forget")
"""Retention speaks as forgetting does (:mod:`companion.store.forget`)."""

SETTINGS_FILE: Final = "settings.json"
"""The settings file's name inside the data directory."""
SETTINGS_VERSION: Final = 1

QuietIn = Literal["client", "all"]
"""Where prompts stay quiet: inside client sessions only, or inside every session."""
QUIET_IN: Final[tuple[QuietIn, ...]] = get_args(QuietIn)

_DEFAULT_POLICY: Final = PolicyConfig()
DAILY_CAP_RANGE: Final = (0, 12)
"""Prompts per day the helper may allow (0: none at all, except those asked for)."""
HIGH_STRESS_RANGE: Final = (MEDIUM_BAND_MIN, 100)
"""Stress scores that may count as "high": from the medium band up."""
HIGH_MINUTES_RANGE: Final = (1, _DEFAULT_POLICY.high_window_minutes)
"""High minutes (of the policy's window of scored minutes) that raise a pause."""
CONTACT_LOAD_RANGE: Final = (_DEFAULT_POLICY.contact_load_rearm, 100.0)
"""Daily load at which a colleague is suggested (not below where the rule re-arms)."""


HOLD_PROBABILITY_RANGE: Final = (0.05, 0.5)
"""Chance of holding an eligible prompt while learning: enough held ones to compare within
weeks, and never more held than shown (micro-randomised trials use 0.2-0.5)."""

RETENTION_RANGE: Final = (7, 36500)
"""Days of data the retention setting may keep (a week up to a hundred years)."""


class SettingsError(HoldspaceError):
    """A setting with a value out of range or of the wrong type; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class Settings:
    """What the helper chose. Every field is checked when made (:class:`SettingsError`).

    Attributes
    ----------
    strap_address : the remembered strap's Bluetooth address (a UUID on macOS), or None.
    strap_name : its advertised name, for the screen ("" or None when unknown).
    daily_cap : prompts delivered per day, at most (:attr:`PolicyConfig.daily_cap`).
    high_stress : a minute with a stress score at or above this counts as high (0-100 score).
    high_minutes : high minutes, of the latest few scored ones, that raise a pause.
    contact_daily_load : the day's load (0-100) at which a colleague is suggested.
    quiet_in : ``"client"``: prompts wait for the end of client sessions only;
        ``"all"``: they wait for the end of every session.
    pacer_rate_per_min : the breathing pacer's rate, in breaths per minute.
    pacer_pattern : the pacer's pattern, one of :data:`signals.breathing.pacer.PATTERNS`.
    desktop_notify : raise a desktop notification when a prompt is shown.
    bell : ring the terminal's bell when a prompt is shown.
    calendar_rules : the helper's own (pattern, kind) rules for calendar events, tried
        before the built-in ones (:data:`companion.connect.calendar.ics.DEFAULT_RULES`).
    calendar_default_kind : the kind of an event no rule matches.
    calendar_titles : keep event titles when a calendar is imported (they can name clients).
    retention_days : keep this many days of data (today counts as one) and forget older
        days for real when a recording starts; None keeps everything.
    ecg_motion : with a Polar H10 (a strap serving Polar's PMD service), also stream its ECG
        and chest accelerometer: breathing seen on the chest, and prompts that wait while
        you move. Other straps give heart rate and RR only, whatever this says.
    learning : opt in to learning what helps: about ``hold_probability`` of the prompts
        that may be held are held back and only recorded (:mod:`companion.prompts.holding`).
    hold_probability : the chance of holding an eligible prompt, 0.05-0.5 (0.2).
    learning_salt : the secret that makes the holds unforeseeable, 64 hex digits, made once
        when learning is first turned on (:func:`fresh_learning_salt`); None until then.
    """

    strap_address: str | None = None
    strap_name: str | None = None
    daily_cap: int = _DEFAULT_POLICY.daily_cap
    high_stress: int = _DEFAULT_POLICY.high_stress
    high_minutes: int = _DEFAULT_POLICY.high_minutes
    contact_daily_load: float = _DEFAULT_POLICY.contact_daily_load
    quiet_in: QuietIn = "client"
    pacer_rate_per_min: float = 6.0
    pacer_pattern: str = "paced"
    desktop_notify: bool = True
    bell: bool = False
    calendar_rules: tuple[tuple[str, str], ...] = ()
    calendar_default_kind: str = "client"
    calendar_titles: bool = False
    retention_days: int | None = None
    ecg_motion: bool = True
    learning: bool = False
    hold_probability: float = 0.2
    learning_salt: str | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        rules = self.calendar_rules
        if isinstance(rules, list | tuple) and all(
            isinstance(r, list | tuple) and len(r) == 2 for r in rules
        ):  # JSON gives lists: kept as tuples
            object.__setattr__(self, "calendar_rules", tuple((r[0], r[1]) for r in rules))
        for f in dataclasses.fields(self):
            problem = _problem(f.name, getattr(self, f.name))
            if problem is not None:
                raise SettingsError(f.name, problem)

    def policy_config(self) -> PolicyConfig:
        """The prompt policy's thresholds: the defaults with the helper's choices in."""
        return dataclasses.replace(
            _DEFAULT_POLICY,
            daily_cap=self.daily_cap,
            high_stress=self.high_stress,
            high_minutes=self.high_minutes,
            contact_daily_load=float(self.contact_daily_load),
            hold=self.hold_draw(),
        )

    def hold_draw(self) -> HoldDraw | None:
        """The hold draw while learning is on (and its salt made); None otherwise."""
        if not self.learning or self.learning_salt is None:
            return None
        return HoldDraw(float(self.hold_probability), bytes.fromhex(self.learning_salt))

    def breath_pattern(self) -> BreathPattern:
        """The pacer's starting pattern at the chosen rate."""
        return with_rate(pattern_named(self.pacer_pattern), self.pacer_rate_per_min)

    def quiet_during(self, session_kind: str | None) -> bool:
        """Whether prompts (and their alerts) wait while a session of this kind runs."""
        if session_kind is None:
            return False
        return session_kind == "client" or self.quiet_in == "all"

    def kind_rules(self, extra: Sequence[tuple[str, str]] = ()) -> KindRules:
        """The calendar's kind rules: ``extra``, then the helper's, then the built-in ones."""
        own = tuple(KindRule(p, k) for p, k in (*extra, *self.calendar_rules))
        return KindRules(rules=(*own, *DEFAULT_RULES), default_kind=self.calendar_default_kind)

    def with_strap(self, address: str | None, name: str | None = None) -> Settings:
        """The same settings remembering another strap (None forgets it)."""
        return dataclasses.replace(
            self, strap_address=address, strap_name=name if address is not None else None
        )

    def to_json(self) -> dict[str, Any]:
        return {"version": SETTINGS_VERSION, **dataclasses.asdict(self)}


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for setting ``key``, as a clause, or None."""
    match key:
        case "strap_address" | "strap_name":
            if value is not None and not isinstance(value, str):
                return f"{key} must be text or null, not {value!r}"
        case "daily_cap":
            return _int_in(key, value, DAILY_CAP_RANGE, "prompts a day")
        case "high_stress":
            return _int_in(key, value, HIGH_STRESS_RANGE, "on the 0-100 stress score")
        case "high_minutes":
            return _int_in(key, value, HIGH_MINUTES_RANGE, "minutes")
        case "contact_daily_load":
            return _number_in(key, value, CONTACT_LOAD_RANGE, "on the 0-100 daily load")
        case "pacer_rate_per_min":
            return _number_in(key, value, RATE_RANGE_PER_MIN, "breaths per minute")
        case "quiet_in":
            if value not in QUIET_IN:
                return f'quiet_in must be "client" or "all", not {value!r}'
        case "pacer_pattern":
            if value not in PATTERNS:
                names = ", ".join(f'"{p}"' for p in PATTERNS)
                return f"pacer_pattern must be one of {names}, not {value!r}"
        case "retention_days":
            if value is not None:
                return _int_in(key, value, RETENTION_RANGE, "days of data to keep")
        case "calendar_rules":
            return _rules_problem(value)
        case "calendar_default_kind":
            if value not in SESSION_KINDS:
                return f"calendar_default_kind must be a session kind, not {value!r}"
        case "hold_probability":
            return _number_in(key, value, HOLD_PROBABILITY_RANGE, "a chance")
        case "learning_salt":
            if value is not None and not _is_salt(value):
                return f"learning_salt must be {2 * SALT_BYTES} hex digits or null"
        case "desktop_notify" | "bell" | "calendar_titles" | "ecg_motion" | "learning":
            if not isinstance(value, bool):
                return f"{key} must be true or false, not {value!r}"
    return None


def _is_salt(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 2 * SALT_BYTES:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def fresh_learning_salt() -> str:
    """A new secret for the hold draw: :data:`SALT_BYTES` bytes from ``os.urandom``, as hex."""
    return os.urandom(SALT_BYTES).hex()


def _rules_problem(value: Any) -> str | None:
    if not isinstance(value, tuple):
        return f'calendar_rules must be a list of ["pattern", "kind"] pairs, not {value!r}'
    for pattern, kind in value:
        if not isinstance(pattern, str) or not pattern.strip():
            return f"calendar_rules: a pattern must be a word or phrase, not {pattern!r}"
        if kind not in SESSION_KINDS:
            return f"calendar_rules: {kind!r} (for {pattern!r}) is not a session kind"
    return None


def _int_in(key: str, value: Any, bounds: tuple[int, int], unit: str) -> str | None:
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return f"{key} must be a whole number from {lo} to {hi} ({unit}), not {value!r}"
    return None


def _number_in(key: str, value: Any, bounds: tuple[float, float], unit: str) -> str | None:
    lo, hi = bounds
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        return f"{key} must be a number from {lo:g} to {hi:g} ({unit}), not {value!r}"
    return None


def settings_path(data_dir: Path) -> Path:
    """Where the settings of the store in ``data_dir`` live."""
    return Path(data_dir) / SETTINGS_FILE


def load_settings(data_dir: Path) -> Settings:
    """The settings in ``data_dir/settings.json``, or the defaults when there is no file.

    Raises :class:`~companion.errors.HoldspaceError` with one sentence naming the
    file (and the key) when the file cannot be read or holds a bad value.
    """
    path = settings_path(data_dir)
    doc = read_json_object(path, "settings", "delete the file to start from the defaults")
    if doc is None:
        return Settings()
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(k for k in doc if k not in known and k != "version")
    if unknown:
        log.warning("%s: ignoring unknown settings %s", path, ", ".join(map(repr, unknown)))
    try:
        settings = Settings(**{k: v for k, v in doc.items() if k in known})
    except SettingsError as exc:
        raise HoldspaceError(
            f"{path}: {exc}; fix it, or delete the file to start from the defaults."
        ) from None
    if settings.learning and settings.learning_salt is None:  # turned on by hand
        settings = dataclasses.replace(settings, learning_salt=fresh_learning_salt())
        try:
            save_settings(data_dir, settings)
        except HoldspaceError as exc:
            log.warning("learning stays off this time: its secret cannot be kept (%s)", exc)
            return dataclasses.replace(settings, learning_salt=None)
    return settings


def save_settings(data_dir: Path, settings: Settings) -> Path:
    """Write ``settings`` to ``data_dir/settings.json`` atomically (mode 0600, a folder made
    for it 0700, whatever the umask); returns the path."""
    try:
        make_private_dir(Path(data_dir))
    except OSError as exc:
        raise HoldspaceError(f"cannot create {data_dir} ({exc.strerror}).") from None
    return write_private_json(settings_path(Path(data_dir)), settings.to_json())


def apply_retention_setting(store: Store, today: date) -> ForgetResult | None:
    """Forget what is older than the helper's ``retention_days`` (settings.json), if set.

    Called when a writable store opens for a recording; returns what was forgotten
    (None when no retention is set). The forgotten days are logged in one sentence.
    """
    keep = load_settings(store.data_dir).retention_days
    if keep is None:
        return None
    result = apply_retention(store, keep, today)
    if result.days:
        _forget_log.warning(
            "Forgot %d days before %s, as retention_days (%d) in settings.json asks.",
            len(result.days),
            (today - timedelta(days=keep - 1)).isoformat(),
            keep,
        )
    return result
