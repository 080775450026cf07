"""A stateful mock of the Accelevents session API, driven by openapi.yaml."""

__version__ = "0.1.0"
