"""Desk phone provisioning adapter: Yealink and Snom phones fetch their files here, by MAC."""
from provisioning.views import bp

__all__ = ["bp"]
