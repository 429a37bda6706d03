"""The pure domain: periods, status, event kinds and their wording, the records
that storage produces and messages consume, and the programme's words.

No I/O, no clock, no environment; imports nothing from the layers below it
(config, store, notify, jobs, cli). See DESIGN §10.
"""
