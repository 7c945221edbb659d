"""Breathing: the rate from the heart's rhythm, coherence, the pacer."""
