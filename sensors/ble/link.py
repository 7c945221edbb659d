"""The strap link's states and their wording, and the policy that decides when to try again.

:class:`LinkState` names where a :class:`~sensors.ble.supervisor.StrapSupervisor` is, and
:class:`SupervisorStatus` is one change of it with a plain sentence about why ("reconnecting in
4 s: the link dropped"). :class:`ReconnectPolicy` holds the backoff (capped exponential with
jitter; the first retry after a drop comes at once), the watchdog's silence limit and the
timeouts. :func:`give_up_error` says when retrying is pointless: a failure that retrying cannot
fix (:data:`FATAL_STATES`: no Bluetooth, pairing needed) or too many failed attempts in a row.

:mod:`sensors.ble.supervisor` runs the loop and asks these; nothing here touches Bleak or a
strap.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from typing import Final

from sensors.ble.errors import StrapError

__all__ = ["FATAL_STATES", "LinkState", "ReconnectPolicy", "SupervisorStatus", "give_up_error"]

FATAL_STATES: Final = frozenset(
    {
        "no-bluetooth-service",
        "no-adapter",
        "bluetooth-off",
        "permission-denied",
        "pairing-required",
        "not-a-strap",
    }
)
"""Failures that retrying cannot fix: the supervisor gives up at once."""


class LinkState(enum.Enum):
    """Where the supervisor is; values are what the status line and the UI show."""

    SCANNING = "scanning"
    CONNECTING = "connecting"
    STREAMING = "streaming"
    CONTACT_LOST = "contact-lost"
    RECONNECTING = "reconnecting"
    GAVE_UP = "gave-up"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SupervisorStatus:
    """One state change.

    Attributes
    ----------
    state : the new state.
    detail : a plain sentence about it (the error, for ``gave-up``).
    retry_in_s : for ``reconnecting``, seconds until the next attempt.
    attempt : failed attempts in a row so far.
    at_s : when, on the supervisor's monotonic clock.
    """

    state: LinkState
    detail: str = ""
    retry_in_s: float | None = None
    attempt: int = 0
    at_s: float = 0.0

    def line(self) -> str:
        """A short status text: "reconnecting in 4 s: the link dropped"."""
        head = self.state.value
        if self.retry_in_s is not None:
            head = f"{head} in {self.retry_in_s:.0f} s"
        return f"{head}: {self.detail}" if self.detail else head


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How hard the supervisor tries.

    Attributes
    ----------
    initial_s : wait before the second attempt after a failure, in seconds.
    factor : growth of the wait per failed attempt.
    cap_s : longest wait, in seconds.
    jitter : the wait varies by up to this fraction either way.
    max_attempts : failed attempts in a row before giving up (None: never).
    silence_s : no packet for this long while streaming counts as a drop.
    scan_s : how long one scan for the strap lasts, in seconds.
    connect_timeout_s : how long connecting may take, in seconds.
    """

    initial_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    jitter: float = 0.2
    max_attempts: int | None = None
    silence_s: float = 15.0
    scan_s: float = 10.0
    connect_timeout_s: float = 20.0

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        """Wait before attempt ``attempt + 1`` after ``attempt`` failures (0: none yet)."""
        if attempt <= 0:
            return 0.0
        base = min(self.cap_s, self.initial_s * self.factor ** (attempt - 1))
        return max(0.0, base * (1.0 + self.jitter * (2.0 * rng.random() - 1.0)))


def give_up_error(
    error: StrapError, attempt: int, policy: ReconnectPolicy, *, pair: bool
) -> StrapError | None:
    """The error to give up with after ``attempt`` failures in a row (None: try again).

    ``error`` is the latest failure. A fatal one (:data:`FATAL_STATES`) ends it at once, except
    ``pairing-required`` when the supervisor pairs; otherwise it ends after
    :attr:`ReconnectPolicy.max_attempts` failures.
    """
    if error.state in FATAL_STATES and not (error.state == "pairing-required" and pair):
        return error
    if policy.max_attempts is not None and attempt >= policy.max_attempts:
        reason = error.message.rstrip(".")
        return StrapError(
            f"Gave up after {attempt} attempts in a row: {reason}.", state=error.state
        )
    return None
