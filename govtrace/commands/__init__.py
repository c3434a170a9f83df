"""Sub-commands of the `govtrace` CLI, one module per concept."""
