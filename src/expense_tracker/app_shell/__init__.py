"""The installable app: its web app manifest and the service worker that works offline."""
