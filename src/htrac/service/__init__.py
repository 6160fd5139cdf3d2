"""The service layer: the Tracker facade every surface calls."""
