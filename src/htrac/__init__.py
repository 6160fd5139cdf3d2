"""htrac — a git-native work tracker for AI coding agents and the humans who govern them."""

__version__ = "0.1.0"
