"""Dialogs that return a typed result: sessions, prompts, contact, settings, report, keys."""
