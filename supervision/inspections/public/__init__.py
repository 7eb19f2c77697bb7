"""The public portal (no login): published inspection reports and audit summaries, their
hash chains and verification, the verification of draws, the Atom feed."""
