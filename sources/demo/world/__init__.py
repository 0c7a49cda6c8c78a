"""Generation of the demo world: one truth about each person, told differently by each system."""
