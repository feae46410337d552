"""Notify: partner registry, subscriptions and alert delivery."""
