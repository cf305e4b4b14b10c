"""The settings page: API tokens."""
