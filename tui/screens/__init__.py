"""Full screens: live, review, trends, breathing, resting, setup, colleagues."""
