"""The prompt policy: rules, types, records, and the acts prompts invite."""
