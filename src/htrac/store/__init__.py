"""The tracker directory: discovery, tiers, the append path, reading items, aliases."""
