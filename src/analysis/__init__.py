"""Training analytics for strength coaches."""

__version__ = "0.1.0"
