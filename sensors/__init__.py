"""Where beats come from: strap packets, the beat clock, recordings, replay and RR imports."""
