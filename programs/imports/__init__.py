"""Bulk import of programs' records from spreadsheets."""
