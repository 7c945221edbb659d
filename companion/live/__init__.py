"""The live session: the listener, merged sources, recorder, status line, publisher, the
screen attached to a recorder, planner."""
