"""Rasa channel adapters (credentials.yml) and what they share."""
