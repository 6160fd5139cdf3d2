"""The command-line interface: parse, call the service once, render."""
