"""The TUI's screens: the tracker screen, forms, the filter panel, the annotation overlay."""
