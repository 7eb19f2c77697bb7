"""The reward ledger and its leaderboard."""
