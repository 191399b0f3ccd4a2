"""Model backends: the model's wire format, and nothing about Slack."""
