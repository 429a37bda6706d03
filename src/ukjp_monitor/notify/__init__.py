"""Telling people, as pure steps then transports: compose (pure) → render
(Jinja2) → letters → deliver over SMTP or to the outbox. Gets plain data and
never opens the database; ``jobs`` loads what it needs and marks the ledger.
"""
