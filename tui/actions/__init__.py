"""The app's action groups, siblings over one base (:mod:`tui.actions.base`).

Prompts offered and answered (:mod:`~tui.actions.prompts`), colleagues and contacting
them (:mod:`~tui.actions.connect`), the calendar's plan (:mod:`~tui.actions.plan`), and
the settings (:mod:`~tui.actions.settings`); :class:`tui.app.HoldspaceApp` combines them.
"""
