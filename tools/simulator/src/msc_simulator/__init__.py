"""A simulator of backup agents, for demos, manual testing and load."""
