"""`htrac mcp`: the tracker as Model Context Protocol tools, for agents without a shell."""
