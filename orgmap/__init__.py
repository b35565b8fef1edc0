"""orgmap: map the people at a debtor company and route to whoever authorizes payment."""

__version__ = "0.1.0"
