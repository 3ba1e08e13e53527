"""Culture & Ideas: essays on books, radio, museums, pamphlets and songs."""

from __future__ import annotations

from masthead.demo.content.types import Piece, Quote, Version

PIECES = [
    Piece(
        section="culture",
        kind="essay",
        authors=("aiko-brennan",),
        days_ago=15.5,
        en=Version(
            slug="reading-spinoza-in-a-mining-camp",
            title="Reading Spinoza in a mining camp",
            standfirst=(
                "A study circle above Challwamarka has spent two years on one difficult book. "
                "Its members explain why they have not given up."
            ),
            topics=("philosophy", "mining", "education"),
            body=(
                "The circle meets on Thursday evenings in the union hall, between a table "
                "football game and a shelf of safety manuals. There are usually nine people: "
                "four miners, two of their wives, a mechanic, a schoolteacher and a retired "
                "nurse. They read three pages a week, aloud, and argue about them for two hours.",
                "The book is the Ethics, chosen by accident when someone brought a secondhand "
                "copy to the first meeting. Nobody expected to finish it. What kept them going, "
                "one of the miners told me, was a single idea: that people are not free because "
                "they can do what they want, but because they understand what moves them.",
                Quote(
                    "Underground you learn fast that wanting is not the same as being free.",
                    "A member of the study circle",
                ),
                "'Underground you learn fast that wanting is not the same as being free,' he "
                "said. 'The mountain does not care what you want. You survive by understanding "
                "it.' It is as good a reading of the book as I have heard in a university.",
            ),
        ),
    ),
    Piece(
        section="culture",
        kind="essay",
        authors=("aiko-brennan",),
        days_ago=73.2,
        en=Version(
            slug="the-radio-serial-that-taught-a-country-about-debt",
            title="The radio serial that taught a country to talk about debt",
            standfirst=(
                "For eleven years in the 1980s, half of Antaura listened every evening to a "
                "family drama about a market stall and the moneylender next door."
            ),
            topics=("media", "debt", "Antaura", "history"),
            body=(
                "'The Ledger of Doña Celia' ran on national radio from 1983 to 1994, at seven "
                "every weekday evening. Its heroine sold cloth in the central market of Yaral; "
                "its villain was a moneylender whose interest rates rose each time the country's "
                "did.",
                "The writers were two former economics students who had failed to get a hearing "
                "for their views anywhere else. Through Celia's arguments with her creditor, "
                "listeners learned what compound interest was, what a devaluation did to a "
                "dollar loan, and why the government kept announcing new sacrifices.",
                "The serial was cancelled quietly in the year of the new constitution. Recordings "
                "survive only because a technician took the tapes home. They are being digitised "
                "by a community radio in the south, which plans to broadcast them again.",
            ),
        ),
    ),
    Piece(
        section="culture",
        kind="news",
        authors=("aiko-brennan",),
        days_ago=28.1,
        en=Version(
            slug="a-museum-of-strikes-opens-in-a-pumping-station",
            title="A museum of strikes opens in an old pumping station",
            standfirst=(
                "Banners, strike bulletins and a hundred recorded interviews fill a Victorian "
                "engine house on the Merrow waterfront."
            ),
            topics=("history", "strikes", "unions"),
            body=(
                "The engine house pumped water out of the Merrow docks for ninety years and "
                "stood empty for thirty more. Its new tenants are a trust run by retired dockers, "
                "teachers and archivists, who raised the money for the roof over six years.",
                "The collection began with one union branch's banners and grew by word of mouth. "
                "It now holds strike bulletins from seven decades, a kitchen table on which a "
                "famous settlement was signed, and a hundred recorded interviews with people who "
                "took part in disputes, won and lost.",
                "Entry is free. The trust asks visitors for one thing: if they have a story, or "
                "a leaflet in a drawer, to bring it in.",
            ),
        ),
    ),
    Piece(
        section="culture",
        kind="opinion",
        authors=("helen-osei",),
        days_ago=50.2,
        en=Version(
            slug="in-defence-of-the-pamphlet",
            title="In defence of the pamphlet",
            standfirst=(
                "Cheap, short, argumentative and passed from hand to hand: the oldest format of "
                "independent publishing is the one the internet has most to learn from."
            ),
            topics=("press freedom", "media"),
            body=(
                "A pamphlet makes one argument and makes it fully. It cannot be endlessly "
                "scrolled, and it does not pretend to be neutral. Its author is named, its "
                "printer usually is too, and it reaches readers because someone chose to hand "
                "it to them.",
                "Compare that with the way most people now meet ideas: in fragments, sorted by "
                "a system that rewards anger, with no one responsible for the order in which "
                "they appear. The pamphlet's virtues are exactly the things that system lacks.",
                "This publication is, in its way, a pile of pamphlets. We would like you to "
                "read them the old way: whole, in order, and then pass them on.",
            ),
        ),
    ),
    Piece(
        section="culture",
        kind="essay",
        authors=("catalina-ibarra",),
        days_ago=85.6,
        en=Version(
            slug="the-work-songs-of-the-puerto-calema-docks",
            title="The work songs of the Puerto Calema docks",
            standfirst=(
                "Before containers, dockers loaded copper bars by hand, and they sang to keep "
                "the rhythm. A few of the songs survive, in the memories of men now in their "
                "eighties."
            ),
            topics=("Antaura", "unions", "history", "music"),
            body=(
                "Don Eusebio is eighty-four and can still sing the whole of 'La barra pesada', "
                "a call-and-response song in which the leader names the ship, the cargo and the "
                "foreman, and the gang answers with what they think of all three. The verses "
                "about the foreman were improvised fresh each day.",
                "The songs kept the lift together: eight men raising a bar that weighed as much "
                "as two of them. They also carried news, jokes and, during disputes, "
                "instructions that the foremen could hear but not always decode.",
                "When the container cranes arrived in the 1980s, the songs had no work left to "
                "do. A music teacher in the port has recorded twenty-three of them, and her "
                "students are learning them. They sing them slower than Don Eusebio does. 'They "
                "have never carried a bar,' he says, not unkindly.",
            ),
        ),
    ),
    Piece(
        section="culture",
        kind="opinion",
        authors=("martin-sabogal",),
        days_ago=38.3,
        en=Version(
            slug="the-press-ownership-bill",
            title="The press ownership bill would hand the news to four families",
            standfirst=(
                "A bill before Antaura's Congress would lift the limit on how many newspapers "
                "and broadcasters one owner may hold. Its sponsors call it modernisation."
            ),
            topics=("press freedom", "media", "Antaura"),
            body=(
                "The current limit, written after the dictatorship, allows one owner to hold "
                "one national newspaper and one national broadcaster. The bill would remove it, "
                "on the argument that newspapers are struggling and need investors.",
                "Newspapers are struggling. But the investors waiting for the limit to go are "
                "not strangers: they are the four business groups that already own most of the "
                "country's commercial media through holding companies. The bill would let them "
                "do openly what they already do quietly.",
                "If the aim is to keep journalism alive, there are better tools: public funding "
                "allocated at arm's length, tax relief for reader-funded outlets, and protection "
                "for journalists who report on their own owners. We declare an interest: we are "
                "a reader-funded outlet. We would rather be one of many than one of four.",
            ),
        ),
    ),
]
