"""ukjp-monitor: the UK–Japan science and technology programme's milestones,
where each one stands, and mail to the people who care."""

__version__ = "0.1.0"
