"""Colleagues, contact, channels and their secrets, the calendar, notifications."""
