"""Heart-rate variability: time, frequency and nonlinear domains, and the session report."""
