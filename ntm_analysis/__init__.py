"""ntm-analysis: which ethnic-minority villages to bring to the New Rural standard, at what cost, when."""

__version__ = "0.1.0"
