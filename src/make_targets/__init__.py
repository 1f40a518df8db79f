"""Commands that make targets run. Never shipped."""
