"""Charity: donations, campaigns and community funds."""
