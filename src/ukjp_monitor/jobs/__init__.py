"""The use cases: the ``Monitor``, the notifier that runs a check or a digest
(load from ``store``, call ``notify``, mark the ledger), health, and the
APScheduler daemon behind ``serve``. The CLI, the flows and the web page call
these and nothing below them.
"""
