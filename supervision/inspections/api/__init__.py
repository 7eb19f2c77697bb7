"""REST API of external inspections, and the read-only public API."""
