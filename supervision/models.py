"""Models arrive with the supervision issue."""
