"""The action server's package: thin rasa-sdk adapters over the core in clinic/.

Each action reads what it needs from the tracker, asks the core for the
decision and the wording, and sends it. rasa-sdk registers every Action
subclass in this package's modules (`python -m rasa_sdk --actions actions`).
"""
