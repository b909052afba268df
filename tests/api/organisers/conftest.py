"""The organiser tests use the conference and tokens fixtures of tests/api/conftest.py."""
