"""vntasks.training."""
