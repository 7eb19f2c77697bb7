"""Placements at partner organisations and their confirmation."""
