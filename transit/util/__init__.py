"""Small helpers every layer uses: atomic output, progress, clock times, TOML tables, instances."""
