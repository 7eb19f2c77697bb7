"""Indicators, evaluation rounds, evaluations and their aggregates."""
