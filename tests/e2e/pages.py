"""Where things are in the demo publication (``masthead.demo``), for the browser tests."""

FLAGSHIP = "/en/interviews/the-altitude-of-power/"
FLAGSHIP_ES = "/es/entrevistas/la-altura-del-poder/"
HEADLINE = "The Altitude of Power: Julián Ccori Mendaña on Antaura's Long Century"
HEADLINE_ES = "La altura del poder: Julián Ccori Mendaña sobre el largo siglo de Antaura"
BOARD = "The Long Table Editorial Board"
SECTION = "/en/interviews/"
# A name that appears in the flagship's body (the colonels' leader), not in its title.
SEARCH_WORD = "Vidaurre"
