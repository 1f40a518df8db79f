"""The reliability scenarios (many versions at once, lifecycles under faults), their figures and
the reliability report. Never shipped."""
