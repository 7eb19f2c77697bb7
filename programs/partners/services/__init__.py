"""Writes and rules of organisations, program partners and counsellor postings."""
