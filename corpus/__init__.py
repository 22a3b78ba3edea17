"""vntasks.corpus."""
