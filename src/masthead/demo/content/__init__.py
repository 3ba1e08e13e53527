"""The demo publication's words, kept apart from the code that loads them.

Everything here is original writing about fictional people and places (the Republic of
Antaura, the port of Calderbridge); none of it is taken from another publication.
"""
