"""Use cases shared by the HTML pages and every other door into the app."""
