"""Models arrive with the evaluation issue."""
