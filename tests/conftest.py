"""Shared test set-up. The authmock fixtures come from the installed pytest plugin."""

pytest_plugins = ["pytester"]
