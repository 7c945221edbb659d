"""The Textual terminal interface over the companion API."""
