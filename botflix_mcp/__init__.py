"""botflix-mcp: an MCP server for BotFlix directors and AIOZ Stream media hosting."""

__version__ = "0.1.0"
