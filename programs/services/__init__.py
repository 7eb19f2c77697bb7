"""Programs processes, one module per business process (keyword-only, typed, atomic)."""
