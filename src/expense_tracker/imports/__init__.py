"""The CSV import page: upload, preview, check every row, import, undo."""
