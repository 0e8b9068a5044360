"""handoff domain."""
