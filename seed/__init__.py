"""The demo world: seed scenarios for the warehouse (and, later, the local stand-ins)."""
