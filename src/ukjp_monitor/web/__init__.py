"""The read-only status page, its JSON API and calendar feed (DESIGN §13)."""
