"""Beat artifacts: the batch screen, corrections, the live detector (Lipponen & Tarvainen 2019)."""
