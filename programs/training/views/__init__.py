"""Page views of training: plans, progress logs, sign-off, case logs and the lists of work to do."""
