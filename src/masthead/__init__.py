"""Masthead: a self-hosted platform for independent, reader-funded publications."""
