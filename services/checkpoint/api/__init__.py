"""HTTP routes of the checkpoint service; ApiError is raised here only."""
