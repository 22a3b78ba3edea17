"""vntasks.pipeline."""
