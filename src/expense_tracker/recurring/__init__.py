"""Recurring expense pages: list, add, edit, pause, resume, end and delete recurring expenses."""
