"""Findings: their list, their page, their life, assignment and bulk actions."""
