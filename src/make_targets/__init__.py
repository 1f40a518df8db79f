"""Commands that make targets run (never shipped)."""
