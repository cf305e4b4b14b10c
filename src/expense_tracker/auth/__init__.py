"""Register, log in and log out."""
