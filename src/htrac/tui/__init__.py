"""`htrac tui`: the human's console (Textual)."""
