"""vntasks.models."""
