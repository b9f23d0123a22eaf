"""The cadence engine: sequence definitions, scheduling and enrollment rules. Pure Python, no I/O."""
