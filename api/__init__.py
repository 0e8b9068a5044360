"""HTTP API, command line and app factory: the outer layer that wires the domains."""
