"""seldon-s2i: s2i builder images and a Seldon Core v1 microservice runtime."""

__version__ = "0.1.0"
