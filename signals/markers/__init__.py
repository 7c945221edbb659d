"""Rolling markers over sliding windows, with their plain references."""
