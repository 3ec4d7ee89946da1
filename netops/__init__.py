"""netops: network operations for regency government intranets."""

__version__ = "0.1.0"
