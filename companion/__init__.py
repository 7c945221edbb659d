"""Holdspace application core: pipeline, sessions, store and the command line."""

__version__ = "0.1.0"
