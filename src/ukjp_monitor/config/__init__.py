"""The configuration files (``milestones.yaml``, ``monitor.yaml``) read and
validated into specs; ``loader.load_config`` is the way in. Imports only
``plan`` below the top-level modules.
"""
