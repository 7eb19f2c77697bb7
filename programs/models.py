"""Models arrive with the programs issue."""
