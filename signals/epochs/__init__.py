"""Per-minute epochs: their types, the batch definition and the incremental builder."""
