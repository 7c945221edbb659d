"""Pure numerics on beat arrays. No I/O, no clocks, no UI."""
