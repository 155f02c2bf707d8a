"""Settings and the change-model configuration: read once, validated at start."""
