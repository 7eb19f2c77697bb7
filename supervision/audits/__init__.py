"""Audit runs of the rules over the programs, the rules' settings, the nightly schedule."""
