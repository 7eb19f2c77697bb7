"""Writes and rules of plans, milestones, sign-off, progress logs and case logs."""
