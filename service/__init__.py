"""Plenary: a companion API for conferences and symposia."""
