"""Running the recorder as a user service: the plan and its install."""
