"""Analysis: debt, prices, rent, water and energy, read slowly."""

from __future__ import annotations

from masthead.demo.content.types import Heading, Piece, Quote, Version

PIECES = [
    Piece(
        section="analysis",
        kind="analysis",
        authors=("greta-lindqvist",),
        days_ago=8.3,
        en=Version(
            slug="copper-is-up-why-are-mining-towns-poorer",
            title="Copper is up. Why are the mining towns poorer?",
            standfirst=(
                "The price of copper is near a record. In the towns that dig it out, wages are "
                "flat and the provincial budget is shrinking. The explanation is in contracts "
                "signed thirty years ago."
            ),
            topics=("mining", "debt", "Antaura"),
            body=(
                "When a commodity price rises, the money has to go somewhere. In Antaura most "
                "of it goes to the mine owners' shareholders, because the royalty rate was "
                "fixed in the 1990s at a flat percentage of sales, with no clause for windfall "
                "prices. A mine earns twice as much at today's price and pays the region the "
                "same share.",
                "Wages in the mines are set by multi-year agreements that lag the price by two "
                "or three years. Meanwhile local prices rise with the boom: rents in "
                "Challwamarka are up by a quarter in eighteen months, as contractors' staff "
                "compete for housing.",
                Quote(
                    "A mine earns twice as much at today's price and pays the region the "
                    "same share."
                ),
                "None of this is a law of nature. Several copper producers have windfall taxes "
                "that rise with the price. Antaura's contracts make one impossible without "
                "renegotiation, which is exactly what the new government has proposed and the "
                "companies have said they will fight.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="analysis",
        authors=("greta-lindqvist",),
        days_ago=68.0,
        en=Version(
            slug="the-austerity-clock",
            title="The austerity clock: how debt service writes a budget",
            standfirst=(
                "Before a finance ministry decides anything, a quarter of its revenue is "
                "already spoken for. A short guide to the biggest line in the budget that "
                "nobody votes on."
            ),
            topics=("debt", "inflation"),
            body=(
                "Debt service is the interest and principal a government must pay on what it "
                "has borrowed. It is the first call on revenue, and in many middle-income "
                "countries it is now larger than the health budget.",
                "The size of the bill depends on decisions taken far away. When interest rates "
                "rise in the big economies, borrowing costs rise everywhere. When a currency "
                "falls, debt denominated in dollars grows without anyone borrowing another "
                "cent.",
                "This is why austerity often arrives without anyone choosing it. Nobody votes "
                "to close a clinic. The clinic closes because the interest bill grew and "
                "everything else had to shrink around it.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="analysis",
        authors=("daniel-achterberg",),
        days_ago=11.6,
        updated_days_ago=6.4,
        en=Version(
            slug="rent-is-eating-the-pay-rise",
            title="Rent is eating the pay rise",
            standfirst=(
                "Wages are finally growing faster than prices. For tenants in most cities they "
                "are not growing faster than rent, and the gap is widest for the young."
            ),
            topics=("housing", "inflation"),
            body=(
                "Headline figures say real wages rose by just over one percent last year. That "
                "figure uses an inflation measure in which housing costs have a small weight, "
                "because most households own their home or pay a mortgage fixed years ago.",
                "Tenants live in a different economy. Private rents in the ten largest cities "
                "rose by between six and eleven percent. For someone under thirty spending "
                "forty percent of their income on rent, that more than cancels the pay rise.",
                Heading("What the averages hide"),
                "Averages also hide the moment of moving. Sitting tenants often see modest "
                "increases; people signing a new lease pay the market rate in full. Anyone who "
                "changes job, city or partner pays the whole of the increase at once.",
                "Update: figures revised after the statistics office corrected its rent series "
                "for two cities. The conclusion is unchanged.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="analysis",
        authors=("farida-haddad", "greta-lindqvist"),
        days_ago=44.1,
        en=Version(
            slug="lithium-salt-flats-and-the-water-nobody-counted",
            title="Lithium, salt flats and the water nobody counted",
            standfirst=(
                "The batteries of the energy transition begin as brine pumped from under the "
                "high desert. The communities on its edge are asking how much water that brine "
                "really is."
            ),
            topics=("energy", "mining", "water", "climate"),
            body=(
                "Lithium brine mining works by pumping salty groundwater into vast ponds and "
                "letting the sun evaporate it. Companies describe brine as not water, since "
                "nobody can drink it, and report only the fresh water they use in processing.",
                "Hydrologists are less sure the distinction holds. Brine and fresh groundwater "
                "sit in the same basins, and pumping one changes the pressure on the other. "
                "Herders around two salt flats report springs that have weakened since pumping "
                "began, though the data to prove a link has not been collected.",
                "The transition away from fossil fuels is necessary and urgent. That is "
                "precisely why its costs should be measured, not assumed away. A battery that "
                "dries out a valley is not clean because the valley is far from its buyer.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="analysis",
        authors=("daniel-achterberg",),
        days_ago=100.3,
        en=Version(
            slug="how-to-read-an-inflation-figure",
            title="How to read an inflation figure without being fooled",
            standfirst=(
                "Four questions to ask before believing any headline about prices, including ours."
            ),
            topics=("inflation",),
            body=(
                "First: compared with when? Annual inflation compares prices with twelve months "
                "earlier, so a figure can fall while prices are still rising, only more slowly. "
                "'Inflation is down' does not mean 'things are cheaper'.",
                "Second: whose basket? The index weights goods by what the average household "
                "buys. Households that spend more on food, fuel or rent than the average can "
                "face inflation far above the headline.",
                "Third: which index? Governments publish several, and the one quoted is rarely "
                "chosen at random. Fourth: what happened to wages over the same period? A price "
                "figure on its own tells you about shops, not about people.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="essay",
        authors=("farida-haddad",),
        days_ago=57.4,
        syndication=(
            "The Harbour Post",
            "https://harbourpost.example.org/essays/who-owns-the-water",
        ),
        en=Version(
            slug="who-owns-the-water-in-a-drought",
            title="Who owns the water in a drought?",
            standfirst=(
                "In a wet year, nobody asks. In a dry one, the answer decides which fields "
                "stay green, which taps run and whose livelihood is sacrificed first."
            ),
            topics=("water", "climate", "agriculture"),
            body=(
                "Water law in most places was written for abundance. Licences were handed out "
                "by the volume people said they needed, on the assumption that rivers would "
                "always carry more than that. In a drought the licences remain and the water "
                "does not.",
                "What follows is a queue, and the order of the queue is political. Some systems "
                "serve the oldest licence first, which favours large estates. Others serve "
                "drinking water first and then whoever can pay. Few ask who has the fewest "
                "alternatives.",
                "The droughts of the coming decades will force the question everywhere. It is "
                "better answered in public, in advance, than at night by whoever controls the "
                "sluice.",
            ),
        ),
    ),
    Piece(
        section="analysis",
        kind="analysis",
        authors=("daniel-achterberg",),
        days_ago=120.7,
        en=Version(
            slug="public-banks-are-back",
            title="Public banks are back. Can they lend to the people banks ignore?",
            standfirst=(
                "Governments from the coast to the highlands are setting up state development "
                "banks again. Their record depends less on ownership than on who they are "
                "allowed to say yes to."
            ),
            topics=("debt", "cooperatives"),
            body=(
                "The case for a public bank is simple: private lenders avoid small borrowers, "
                "rural borrowers and borrowers without collateral, because the cost of "
                "assessing them is high and the margins are thin. A bank with a public mandate "
                "can accept lower returns.",
                "The history is mixed. Public banks that lent to cooperatives and small farms "
                "with clear rules and local staff have outlived the governments that created "
                "them. Those that became a way to reward allies collapsed with their sponsors.",
                "The difference, again and again, is governance: who sits on the credit "
                "committee, whether its decisions are published, and whether borrowers have a "
                "voice. A public bank is only as public as its loan book.",
            ),
        ),
    ),
]
