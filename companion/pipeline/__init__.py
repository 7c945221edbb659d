"""From beats to minutes, sessions and days: the pipeline and its signal stage."""
