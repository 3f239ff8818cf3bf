"""The version, alone: what the command line and the daemon say they are."""

__version__ = "0.1.0"
