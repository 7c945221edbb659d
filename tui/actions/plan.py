"""The app's part in the calendar's plan: planned sessions start and end on their own.

:class:`PlanActions` is one of the action groups :class:`tui.app.HoldspaceApp` combines
(over :class:`tui.actions.base.AppBase`). While beats arrive, a planned session of the
day starts when its time comes and ends when it is over (then the check-in); ``u`` says
the one just started is not happening. An ``.ics`` file's next seven days are read on a
worker thread and kept in the store as the plan.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from companion.connect.calendar.ics import p_to_doc, read_calendar
from companion.errors import HoldspaceError
from companion.live.planner import Planner
from companion.text import clean_text
from tui.actions.base import AppBase
from tui.modals.calendar import CalendarFileScreen

__all__ = ["PlanActions"]


class PlanActions(AppBase):
    """Following the calendar's plan, and importing one."""

    _planner: Planner | None = None
    _planner_day: date | None = None

    def follow_plan(self) -> None:
        """Start or end a planned session when its time comes (while beats arrive)."""
        now = self.live.now_s
        if now is None or self.store is None:
            return
        day = datetime.fromtimestamp(now).date()
        if day != self._planner_day:
            self._planner_day = day
            self._planner = Planner(self.store.planned(day))
        planner = self._planner
        assert planner is not None
        due = planner.next_change_s()
        if due is None or now < due:
            return
        step = planner.step(now, self.live.session is not None)
        if step is None:
            return
        label = step.planned.label
        if step.action == "start":
            try:
                self.live.start_session(step.planned.kind, label)
            except HoldspaceError as exc:
                self.notify(str(exc), severity="warning")
                planner.skip()
                return
            self._note(f"Started {label} from your calendar · u if it is not happening.")
        else:
            ended = self.live.end_session()
            self._note(f"{label} has ended, as planned.")
            if ended is not None:
                self._check_in(ended)

    def action_not_happening(self) -> None:
        """The one-key correction: the planned session just started is not happening."""
        planner = self._planner
        if planner is None or planner.running is None:
            self.notify("No planned session is running.")
            return
        skipped = planner.skip()
        self.live.end_session()
        if skipped is not None:
            self._note(f"Ended {skipped.label}: not happening. It will not start again today.")

    def action_import_calendar(self) -> None:
        if self.store is None or self.store.read_only:
            self.notify("This run keeps no store of its own, so there is no plan to import into.")
            return

        def chosen(path: str | None) -> None:
            if path is not None:
                self.run_worker(
                    lambda: self._read_calendar(path),
                    name="calendar",
                    group="calendar",
                    thread=True,
                    exit_on_error=False,
                )

        self.push_screen(CalendarFileScreen(), chosen)

    def _read_calendar(self, path_text: str) -> None:
        """On a worker thread: read the next week's events; the store is written on the app's."""
        first = datetime.fromtimestamp(self._act_time_s()).date()
        last = first + timedelta(days=6)
        path = Path(path_text).expanduser()
        try:
            read = read_calendar(
                path,
                first,
                last,
                rules=self.settings.kind_rules(),
                keep_titles=self.settings.calendar_titles,
            )
        except HoldspaceError as exc:
            self.call_from_thread(self.notify, clean_text(str(exc)), severity="error")
            return
        if read.skipped:
            lines = [clean_text(k.text(Path(path.name))) for k in read.skipped[:3]]
            if len(read.skipped) > len(lines):
                lines.append(f"... and {len(read.skipped) - len(lines)} more.")
            self.call_from_thread(
                self.notify, "\n".join(lines), title="Events skipped", severity="warning"
            )
        docs = [p_to_doc(p) for p in read.sessions]
        self.call_from_thread(self._keep_plan, docs, first, last, clean_text(path.name))

    def _keep_plan(self, docs: list[dict[str, object]], first: date, last: date, name: str) -> None:
        assert self.store is not None
        self.store.put_planned(docs, first, last, source=name)
        self._planner_day = None  # read again at the next beats
        count = sum(1 for d in docs if not d["all_day"])
        self._note(f"Planned {count} sessions from {name} for the next seven days.")
