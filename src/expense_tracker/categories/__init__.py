"""The categories pages: rename, recolour, merge and delete a user's categories."""
