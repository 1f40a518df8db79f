"""cfn-lint rules for the project's resource type (never shipped): point ``cfn-lint --append-rules``
at this folder, and ``--registry-schemas`` at ``schemas/`` beside it."""
