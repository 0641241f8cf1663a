"""dxkg: a knowledge graph of what made Japanese municipal DX (地域DX) succeed."""

__version__ = "0.1.0"
