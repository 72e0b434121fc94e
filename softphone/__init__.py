"""A secure SIP softphone: TLS signalling, mandatory SRTP media, verifiable calls."""

__version__ = "0.1.0"
