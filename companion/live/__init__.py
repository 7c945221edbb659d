"""The live session: the listener, merged sources, recorder, publisher, planner."""
