"""Shared kernel: settings, database, clock and the BANT qualification schema."""
