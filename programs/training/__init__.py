"""Training plans, milestones and sign-off, progress logs and case logs."""
