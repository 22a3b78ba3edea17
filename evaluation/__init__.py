"""vntasks.evaluation."""
