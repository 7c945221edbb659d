"""The app's parts: prompts offered and answered, colleagues and the calendar, settings."""
