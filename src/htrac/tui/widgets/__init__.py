"""The TUI's widgets, one per screen region."""
