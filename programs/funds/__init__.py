"""Budget lines and expenditures."""
