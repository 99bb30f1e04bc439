"""Thin HTTP routes: the only place that raises `ApiError`, mapped from domain exceptions."""
