"""From markers to care: the personal baseline, the stress score, the load."""
