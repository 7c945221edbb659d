"""The morning reading from the store: today's reading, the usual, the day's gentler policy.

``reading`` finds and keeps a day's reading and weighs it (``signals.scores.readiness``);
``words`` says it in plain words; ``policy`` makes a below-usual day's prompts gentler.
"""
