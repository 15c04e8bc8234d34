"""Small helpers every layer shares: errors, ids and links, CSV safety, worker processes, the
files the package carries."""
