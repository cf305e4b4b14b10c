"""The dashboard and the pages that change expenses."""
