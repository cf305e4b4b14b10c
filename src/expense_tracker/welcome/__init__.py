"""The first-run step after registering."""
