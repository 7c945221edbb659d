"""The prompt policy: when to invite the helper to pause, breathe or contact a colleague.

A pure, deterministic state machine. It is fed minutes of physiology, session starts and
ends, check-ins, responses and snoozes, each carrying its own time (epoch seconds); it
reads no clock and does no I/O. Each input call returns the prompts *delivered* by it
(at most one), and :attr:`PromptPolicy.all_prompts` keeps every prompt ever raised with
its fate, for the screen and the store::

    policy = PromptPolicy()
    for prompt in policy.minute(MinuteInput(t_s, stress=82, quality_ok=True, daily_load=40.0)):
        show(prompt)

Rules (thresholds in :class:`~companion.prompts.rules.PolicyConfig`):

- **pause**: sustained high stress: the steady high band (a two-minute mean past its margin,
  :mod:`signals.scores.bands`), on 1 of the last 4 scored minutes by default.
- **breathe**: 15 minutes after a client session, stress still medium or above and not
  falling (or the day's load rising), unless another client session has begun.
- **contact**: the day's load reaches 70; two heavy client sessions in a row; a session
  the helper marked heavy; a check-in asking for support or naming a heavy feeling.
  And a gentle reminder when a colleague's check-in rhythm has passed
  (:meth:`PromptPolicy.colleagues_due`): once per colleague until they are contacted,
  only outside sessions, and only when it can be delivered (never capped away).

What happens to a raised prompt:

1. inside a *client* session it is *deferred* and decided at the session's end
   (``delivered_s`` is then the end time); a second one of the same kind meanwhile is
   *merged* into the waiting one. Other kinds of session do not defer. Likewise while
   the helper is moving (the latest minute's ``moving``, from a chest strap's
   accelerometer): a prompt waits, and is decided at the first minute that is not moving
   (the rules below then apply as to any prompt). A prompt the helper asked for does not
   wait. Without an accelerometer no minute is moving and nothing changes.
2. The prompts decided at one moment are taken most useful first (one the helper asked
   for, then contact, pause, breathe; within a kind, the rule first in
   :data:`~companion.prompts.rules.RULES`). Each is *snoozed* while a snooze lasts, *capped*
   once the day's cap is delivered, *cooled_down* within its kind's cooldown or the
   minimum gap after any delivery; the first that passes is *delivered* and the rest
   are *merged* into it, so one moment never brings a burst. A prompt merged into one of
   them (its twin while it waited) is merged into the delivered one too: a fold always
   names a prompt delivered (or held, rule 3) or still waiting, so folds never chain or
   cycle. A check-in asking for support passes snooze, cap and cooldowns: the helper asked.

3. **Learning** (only with :attr:`PolicyConfig.hold` set, an opt-in setting): the prompt
   that passes the gates is, by the hold draw (:mod:`companion.prompts.holding`), either
   *delivered* or *held*: recorded with its rule and time, never shown, the rest of the
   moment merged into it as into a delivered one. A held prompt counts for the cooldowns
   and the minimum gap exactly as a delivered one (so no other prompt comes within 15
   minutes of either, and what follows both is alike), but not against the daily cap: a
   helper who opts in is not interrupted less often on a day the cap binds. Never held,
   always delivered: a contact prompt (a colleague is not something to withhold), any
   prompt after a session the helper marked heavy (its end, or a check-in saying heavy)
   until the next client session starts (a break in between is still "after" it), and
   the next prompt that passes the gates after a held one (never two held in a row).
   Only the prompts that could have been held carry
   :attr:`PromptRecord.hold_probability`: they alone are compared.

Times should not go backwards; an input older than the latest one is taken as
happening at the latest time seen.

The prompts and records handed out (:class:`Prompt`, :class:`PromptRecord`, the fates
and responses) are defined in :mod:`companion.prompts.records`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Final

from companion.prompts.records import (
    RESPONSES,
    Fate,
    Prompt,
    PromptRecord,
    Response,
    utc_day,
)
from companion.prompts.rules import (
    HighStressRun,
    SessionTally,
    check_in_due_trigger,
    check_in_triggers,
    daily_load_trigger,
    heavy_run_trigger,
    marked_heavy_trigger,
    recovery_stall_trigger,
    session_is_heavy,
)
from companion.prompts.types import (
    ASKED_RULES,
    PROMPT_KINDS,
    RULES,
    CheckInAnswer,
    MinuteInput,
    PolicyConfig,
    PromptKind,
    Rule,
    SessionLoad,
    Trigger,
)
from companion.sessions import Session
from sensors.events import SESSION_KINDS

__all__ = ["PromptPolicy"]

CLIENT_KIND: Final = "client"
"""The session kind during which prompts wait for the session's end."""

NEVER_HELD_KINDS: Final[frozenset[PromptKind]] = frozenset({"contact"})
"""Kinds learning never holds: reaching a colleague is never withheld to learn something."""

NEVER_HELD_RULES: Final[frozenset[Rule]] = frozenset({"marked_heavy", *ASKED_RULES})
"""Rules whose prompts learning never holds: after a session marked heavy, or asked for."""

HEAVY_KEY: Final = "heavy"
"""The check-in answer by which the helper marks the session heavy (True)."""


class PromptPolicy:
    """The prompt state machine. See the module docstring for the rules and gates.

    Parameters
    ----------
    config : thresholds; :class:`PolicyConfig` documents the defaults.
    day_of : maps an epoch time to the helper's local day, for the daily cap and the
        per-day rules (default :func:`utc_day`; pass the local one).
    """

    def __init__(
        self, config: PolicyConfig | None = None, *, day_of: Callable[[float], date] = utc_day
    ) -> None:
        self._config = config if config is not None else PolicyConfig()
        self._day_of = day_of
        self._now: float | None = None
        self._day: date | None = None
        self._records: dict[str, PromptRecord] = {}
        self._pending: list[str] = []
        self._session: Session | None = None
        self._moving = False  # the latest minute was moving: prompts wait until still
        self._tally: SessionTally | None = None
        self._high = HighStressRun(self._config)
        # Enough scored minutes for the recovery rule's trend span, and a few more.
        self._recent: deque[MinuteInput] = deque(
            maxlen=int(self._config.recovery_trend_s // 60.0) + 2
        )
        self._recovery_from_s: float | None = None
        self._heavy_run = 0
        self._load_armed = True
        self._snoozed_until_s = float("-inf")
        self._delivered_per_day: dict[date, int] = {}
        self._last_delivered_s: dict[PromptKind, float] = {}
        self._due: dict[str, int] = {}  # colleague -> days since the last contact
        self._reminded: set[str] = set()
        self._after_held = False  # the latest prompt that passed the gates was held
        self._after_heavy = False  # a session marked heavy ended: no hold until the next client one

    # --- what the screen and the store read ----------------------------------------------

    @property
    def config(self) -> PolicyConfig:
        """The thresholds in force."""
        return self._config

    def use_config(self, config: PolicyConfig) -> None:
        """Hold ``config``'s day-level limits from now on: the daily cap and the day's load
        that suggests a colleague (a below-usual morning reading found after the run began,
        :mod:`companion.readiness.policy`). The high-stress rule keeps the thresholds it
        started with; prompts already raised keep their fates."""
        self._config = config

    @property
    def all_prompts(self) -> tuple[PromptRecord, ...]:
        """Every prompt raised so far, in the order raised, with its fate and response."""
        return tuple(self._records.values())

    @property
    def pending(self) -> tuple[Prompt, ...]:
        """Prompts waiting for the running client session to end."""
        return tuple(self._records[i].prompt for i in self._pending)

    @property
    def session(self) -> Session | None:
        """The running session, if any."""
        return self._session

    @property
    def moving(self) -> bool:
        """Whether the latest minute was moving (prompts wait for a still one)."""
        return self._moving

    @property
    def in_client_session(self) -> bool:
        """Whether a client session is running (prompts wait for its end)."""
        return self._session is not None and self._session.kind == CLIENT_KIND

    @property
    def snoozed_until_s(self) -> float | None:
        """End of the current snooze, in epoch seconds; ``None`` when none was set."""
        return None if self._snoozed_until_s == float("-inf") else self._snoozed_until_s

    def record(self, prompt_id: str) -> PromptRecord:
        """The record of one prompt; :class:`KeyError` when there is none."""
        return self._records[prompt_id]

    # --- inputs ----------------------------------------------------------------------

    def minute(self, minute: MinuteInput) -> tuple[Prompt, ...]:
        """One minute of physiology. Unscored minutes (poor signal, moving) raise nothing;
        the first minute that is not moving decides the prompts that waited for it."""
        now = self._advance(minute.t_s)
        self._moving = minute.moving
        if not minute.scored:
            return self._decide([], now) if self._still_waiting() else ()
        cfg = self._config
        self._recent.append(minute)
        triggers: list[Trigger] = []
        pause = self._high.update(minute)
        if self._tally is not None:
            self._tally.add(minute, band_high=self._high.band_high)
        if pause is not None:
            triggers.append(pause)
        if minute.daily_load < cfg.contact_load_rearm:
            self._load_armed = True
        elif minute.daily_load >= cfg.contact_daily_load and self._load_armed:
            self._load_armed = False
            triggers.append(daily_load_trigger())
        ended_s = self._recovery_from_s
        if ended_s is not None and now - ended_s >= cfg.recovery_check_s:
            self._recovery_from_s = None
            if now - ended_s <= cfg.recovery_check_s + cfg.recovery_grace_s:
                breathe = recovery_stall_trigger(tuple(self._recent), now, ended_s, cfg)
                if breathe is not None:
                    triggers.append(breathe)
        if triggers or self._still_waiting():
            return self._decide(triggers, now)
        return self._remind(now)

    def colleagues_due(self, t_s: float, due: Mapping[str, int]) -> tuple[Prompt, ...]:
        """The colleagues whose check-in rhythm has passed now (name to whole days since
        the last contact; the complete list each time: a name missing from it was
        contacted). Each gets one reminder, delivered here or at a later quiet minute."""
        now = self._advance(t_s)
        self._due = {name: int(days) for name, days in due.items()}
        self._reminded &= set(self._due)
        return self._remind(now)

    def session_started(self, kind: str, label: str, t_s: float) -> tuple[Prompt, ...]:
        """A session begins. One still running is ended first (and may deliver)."""
        if kind not in SESSION_KINDS:
            raise ValueError(f"unknown session kind {kind!r}; use one of {SESSION_KINDS}")
        delivered = self.session_ended(t_s) if self._session is not None else ()
        now = self._advance(t_s)
        self._session = Session(kind=kind, label=label, start_s=now)
        if kind == CLIENT_KIND:
            self._after_heavy = False
            self._tally = SessionTally()
            self._recovery_from_s = None
        return delivered

    def session_ended(
        self, t_s: float, heavy: bool | None = None, summary: SessionLoad | None = None
    ) -> tuple[Prompt, ...]:
        """The running session ends; waiting prompts are decided now.

        ``heavy`` is the helper's own mark; ``summary`` the session's load from the signals
        stage (without it, the minutes the policy saw during the session stand in).
        """
        now = self._advance(t_s)
        session = self._session
        if session is None:
            return ()
        self._session = None
        triggers: list[Trigger] = []
        if heavy is True:
            triggers.append(marked_heavy_trigger())
            self._after_heavy = True
        if session.kind == CLIENT_KIND:
            tally, self._tally = self._tally, None
            load = summary if summary is not None else tally.summary() if tally else None
            self._heavy_run = (
                self._heavy_run + 1 if session_is_heavy(heavy, load, self._config) else 0
            )
            if self._heavy_run >= self._config.heavy_run:
                triggers.append(heavy_run_trigger(self._heavy_run))
            self._recovery_from_s = now
        return self._decide(triggers, now)

    def check_in(self, t_s: float, answers: Mapping[str, CheckInAnswer]) -> tuple[Prompt, ...]:
        """The helper's check-in answers; support asked for, or a heavy feeling, suggest contact."""
        now = self._advance(t_s)
        if answers.get(HEAVY_KEY) is True:
            self._after_heavy = True
        return self._decide(check_in_triggers(answers, self._config), now)

    def respond(self, prompt_id: str, response: Response, t_s: float) -> PromptRecord:
        """Record the helper's answer to a delivered prompt; "snoozed" also snoozes."""
        now = self._advance(t_s)
        if response not in RESPONSES:
            raise ValueError(f"unknown response {response!r}; use one of {RESPONSES}")
        rec = self._records.get(prompt_id)
        if rec is None:
            raise ValueError(f"no prompt {prompt_id!r} was raised")
        if rec.fate != "delivered":
            raise ValueError(f"prompt {prompt_id!r} was not delivered ({rec.fate})")
        if rec.response is not None:
            raise ValueError(f"prompt {prompt_id!r} already has a response ({rec.response})")
        rec = replace(rec, response=response, responded_s=now)
        self._records[prompt_id] = rec
        if response == "snoozed":
            self._snoozed_until_s = now + self._config.snooze_on_response_s
        return rec

    def snooze(self, t_s: float, minutes: float) -> float:
        """Silence prompts for ``minutes`` from ``t_s`` (0 ends a snooze); return its end."""
        now = self._advance(t_s)
        if not minutes >= 0:
            raise ValueError(f"snooze minutes must be 0 or more, got {minutes}")
        self._snoozed_until_s = now + minutes * 60.0
        return self._snoozed_until_s

    # --- the machine -------------------------------------------------------------------

    def _remind(self, now: float) -> tuple[Prompt, ...]:
        """Deliver one check-in reminder if one is due and nothing stands in its way.

        Unlike the other rules, a reminder is not raised to be capped or deferred: it
        waits, unrecorded, for a moment outside any session when it would be delivered.
        """
        waiting = [name for name in self._due if name not in self._reminded]
        if not waiting or self._session is not None or self._pending or self._moving:
            return ()
        name = max(waiting, key=lambda n: (self._due[n], n))
        trigger = check_in_due_trigger(name, self._due[name])
        probe = PromptRecord(
            Prompt("probe", "contact", now, "", False), trigger.rule, "deferred", None
        )
        if self._gate(probe, now) is not None:
            return ()
        self._reminded.add(name)
        return self._decide([trigger], now)

    def _advance(self, t_s: float) -> float:
        """Move the policy's time to ``t_s`` (never backwards); reset per-day rules."""
        now = t_s if self._now is None else max(t_s, self._now)
        self._now = now
        day = self._day_of(now)
        if day != self._day:
            self._day = day
            self._heavy_run = 0
            self._load_armed = True
        return now

    def _raise(self, trigger: Trigger, now: float) -> PromptRecord:
        base = f"{trigger.kind}-{now:.0f}"
        prompt_id, n = base, 1
        while prompt_id in self._records:
            n += 1
            prompt_id = f"{base}-{n}"
        prompt = Prompt(prompt_id, trigger.kind, now, trigger.reason, self.in_client_session)
        return PromptRecord(prompt, trigger.rule, "deferred", None)

    def _decide(self, triggers: list[Trigger], now: float) -> tuple[Prompt, ...]:
        """Raise the triggers (one per kind), then defer them or deliver at most one prompt."""
        best: dict[PromptKind, Trigger] = {}
        for trigger in sorted(triggers, key=lambda t: RULES.index(t.rule)):
            best.setdefault(trigger.kind, trigger)
        raised = [self._raise(t, now) for t in best.values()]
        asked = any(r.rule in ASKED_RULES for r in raised)
        if self.in_client_session or (self._moving and not asked):
            for rec in raised:
                twin = next((i for i in self._pending if self._kind(i) == rec.prompt.kind), None)
                if twin is None:
                    self._pending.append(rec.prompt.prompt_id)
                    self._records[rec.prompt.prompt_id] = rec
                else:
                    self._records[rec.prompt.prompt_id] = replace(
                        rec, fate="merged", decided_s=now, merged_into=twin
                    )
            return ()
        group = [self._records[i] for i in self._pending] + raised
        self._pending.clear()
        group.sort(
            key=lambda r: (
                r.rule not in ASKED_RULES,
                PROMPT_KINDS.index(r.prompt.kind),
                RULES.index(r.rule),
                r.prompt.raised_s,
            )
        )
        host: Prompt | None = None  # the one delivered or held at this moment
        for rec in group:
            if host is not None:
                rec = replace(rec, fate="merged", decided_s=now, merged_into=host.prompt_id)
            elif (fate := self._gate(rec, now)) is not None:
                rec = replace(rec, fate=fate, decided_s=now)
            else:
                rec = self._settle(rec, now)
                host = rec.prompt
            self._records[rec.prompt.prompt_id] = rec
        if host is None:
            return ()
        self._refold({r.prompt.prompt_id for r in group} - {host.prompt_id}, host)
        return (host,) if host.delivered_s is not None else ()

    def _settle(self, rec: PromptRecord, now: float) -> PromptRecord:
        """Deliver the prompt that passed the gates, or hold it (learning); see rule 3."""
        kind = rec.prompt.kind
        self._last_delivered_s[kind] = now  # held or not: the cooldowns and the gap run
        if kind == "pause":
            self._high.delivered(now)
        draw = self._config.hold
        p = draw.probability if draw is not None and self._holdable(rec) else None
        if draw is not None and p is not None and draw.held(rec.prompt.prompt_id):
            self._after_held = True
            return replace(rec, fate="held", decided_s=now, hold_probability=p)
        self._after_held = False
        day = self._day_of(now)
        self._delivered_per_day[day] = self._delivered_per_day.get(day, 0) + 1
        shown = replace(rec.prompt, delivered_s=now)
        return replace(rec, prompt=shown, fate="delivered", decided_s=now, hold_probability=p)

    def _holdable(self, rec: PromptRecord) -> bool:
        """Whether learning may hold this prompt: never a contact, one after a session
        marked heavy, one the helper asked for, or the next after a held one."""
        return not (
            rec.prompt.kind in NEVER_HELD_KINDS
            or rec.rule in NEVER_HELD_RULES
            or self._after_heavy
            or self._after_held
        )

    def _refold(self, hosts: set[str], winner: Prompt) -> None:
        """Prompts folded into one of ``hosts`` (now folded themselves) fold into ``winner``.

        So every fold names a prompt that was delivered (or held) or still waits, never one that
        was folded in turn: folds form no chain and no cycle.
        """
        for prompt_id, rec in self._records.items():
            if rec.fate == "merged" and rec.merged_into in hosts:
                self._records[prompt_id] = replace(rec, merged_into=winner.prompt_id)

    def _still_waiting(self) -> bool:
        """Whether prompts that waited for the helper to be still may be decided now:
        some wait, outside a client session, and the latest minute is not moving."""
        return bool(self._pending) and not self.in_client_session and not self._moving

    def _kind(self, prompt_id: str) -> PromptKind:
        return self._records[prompt_id].prompt.kind

    def _gate(self, rec: PromptRecord, now: float) -> Fate | None:
        """Why a prompt may not be delivered now, or ``None`` when it may."""
        if rec.rule in ASKED_RULES:
            return None
        cfg = self._config
        if now < self._snoozed_until_s:
            return "snoozed"
        if self._delivered_per_day.get(self._day_of(now), 0) >= cfg.daily_cap:
            return "capped"
        last_same = self._last_delivered_s.get(rec.prompt.kind)
        if last_same is not None and now - last_same < cfg.cooldown_s(rec.prompt.kind):
            return "cooled_down"
        last_any = max(self._last_delivered_s.values(), default=None)
        if last_any is not None and now - last_any < cfg.min_gap_s:
            return "cooled_down"
        return None
