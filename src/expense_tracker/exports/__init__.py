"""Pages that download the logged-in user's expenses as files."""
