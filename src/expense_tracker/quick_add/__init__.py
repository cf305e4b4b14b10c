"""Quick add: one expense in a few taps, on a page of its own."""
