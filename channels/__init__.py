"""Rasa channel adapters. The Rasa server imports this package when it loads
credentials.yml, which is where its measured per-turn fixes are applied."""

from channels import rasa_speedups

rasa_speedups.apply()
