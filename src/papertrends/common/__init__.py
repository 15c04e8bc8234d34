"""Small helpers every layer shares: errors, ids and links, CSV safety, worker processes."""
