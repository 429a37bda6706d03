"""The database: schema and migrations, sync, transitions, the delivery ledger,
runs and the queries. Never imports ``notify``: it stores and returns plain
records from ``plan``.
"""
