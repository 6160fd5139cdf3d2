"""Who may do what: actor resolution, human-only operations, locks, signatures."""
