"""A Slack bot that answers a thread, with every file shared in it, with a multimodal model."""
