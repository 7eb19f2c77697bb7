"""Projects, their members and proposals."""
