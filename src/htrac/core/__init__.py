"""The pure core: op-log format, fold, IDs, clocks, config. No I/O beyond what callers pass in."""
