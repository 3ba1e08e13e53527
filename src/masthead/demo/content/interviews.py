"""Interviews besides the flagship: the interviewees are named by speaker, not as contributors."""

from __future__ import annotations

from masthead.demo.content.types import Piece, Quote, Version, a, q

MIRIAM = "Miriam Cole"
TEODORO = "Teodoro Quispe Lanza"
NOUR = "Nour Khalil"

PIECES = [
    Piece(
        section="interviews",
        kind="interview",
        authors=("helen-osei",),
        days_ago=9.4,
        en=Version(
            slug="we-kept-the-ward-open",
            title="'We kept the ward open by refusing to leave it': a nurse on the Port Halden sit-in",
            standfirst=(
                "When the health trust announced it would close the only night-time children's "
                "ward in Port Halden, nurses stayed put for eleven days. Miriam Cole, one of "
                "their union representatives, told us how they did it."
            ),
            topics=("public health", "unions", "strikes"),
            body=(
                "Port Halden is a town of sixty thousand people at the end of a branch line, "
                "and until last spring its hospital had the only children's ward within an "
                "hour's drive that stayed open overnight. The closure notice gave staff four "
                "weeks. Instead of a protest outside, the nurses chose to stay inside: working "
                "their shifts, and then not going home. Helen Osei spoke to Miriam Cole, a "
                "paediatric nurse of nineteen years and the union's representative on the ward.",
                q("helen-osei", "Whose idea was it to stay?"),
                a(
                    MIRIAM,
                    "Nobody's, really. The night the notice went up, three of us were on "
                    "shift and none of us wanted to be the one who handed over to an empty "
                    "ward. So we handed over to each other. By the morning there were "
                    "eleven of us in the staff room with sleeping bags, and somebody had "
                    "already drawn up a rota.",
                ),
                q("helen-osei", "Were you not worried about the children on the ward?"),
                a(
                    MIRIAM,
                    "Constantly, and that was the point. We never dropped a single shift. "
                    "Every bed was covered by someone on duty, and the people sitting in "
                    "were off duty, on their own time. We were strict about that, because "
                    "the first thing management said was that we were putting patients at "
                    "risk. We weren't. The closure was.",
                ),
                q("helen-osei", "What changed the trust's mind?"),
                a(
                    MIRIAM,
                    "Parents. On the fourth night a father brought his daughter in at two "
                    "in the morning with a temperature of forty, and he posted a photo of "
                    "the ward, full of nurses, with the words 'this is what they want to "
                    "close'. By the weekend parents were bringing food and the local paper "
                    "was camped outside. The trust suspended the closure on day eleven. It "
                    "is now 'under review', which is what they say when they have lost.",
                ),
                Quote("Solidarity that nobody has organised lasts about a night.", MIRIAM),
                q("helen-osei", "Would you do it again?"),
                a(
                    MIRIAM,
                    "Tomorrow. But I would tell anyone thinking about it: write the rota "
                    "first. Solidarity that nobody has organised lasts about a night.",
                ),
            ),
        ),
    ),
    Piece(
        section="interviews",
        kind="interview",
        authors=("lucia-pereyra",),
        days_ago=23.1,
        en=Version(
            slug="the-archive-of-pampa-rayo",
            title="What the copper company's archive says about Pampa Rayo, and what it leaves out",
            standfirst=(
                "For a century the number of people killed at the 1923 smelter strike in "
                "Challwamarka was a secret. The historian Teodoro Quispe Lanza spent six years "
                "in the company's papers to find it."
            ),
            topics=("history", "mining", "Antaura", "strikes"),
            body=(
                "When Andean Consolidated Copper was nationalised in 1972, its archive went with "
                "it: four hundred metres of shelving in a warehouse in Puerto Calema, unread for "
                "decades. Teodoro Quispe Lanza, who teaches history at a secondary school in "
                "Challwamarka, got permission to work there in his holidays. His book on the "
                "Pampa Rayo shootings comes out next month.",
                q("lucia-pereyra", "What were you looking for when you started?"),
                a(
                    TEODORO,
                    "A number. My grandfather was at Pampa Rayo as a boy and he said "
                    "there were more than two hundred dead. The official figure was "
                    "eleven. I wanted to know which of them was lying, and I assumed it "
                    "would be the government.",
                ),
                q("lucia-pereyra", "And was it?"),
                a(
                    TEODORO,
                    "Both were wrong, and the company knew better than either. Its "
                    "payroll for the week after the strike shows ninety-four men who "
                    "never collected their wages again. Not dismissed, not transferred. "
                    "Just a line through the name. Accountants are more honest than "
                    "ministers, because they have to make the columns add up.",
                ),
                Quote(
                    "Accountants are more honest than ministers, because they have to make "
                    "the columns add up.",
                    TEODORO,
                ),
                q("lucia-pereyra", "What does the archive not tell you?"),
                a(
                    TEODORO,
                    "Anything about the women. The company only recorded people it paid, "
                    "and it did not pay the women who cooked in the camps, washed the "
                    "ore sacks and carried the food up to the strike. For them I had to "
                    "go back to the villages with a recorder, and some of the best "
                    "sources were their granddaughters, who had heard the stories at the "
                    "kitchen table. The book is half archive and half kitchen.",
                ),
            ),
        ),
    ),
    Piece(
        section="interviews",
        kind="interview",
        authors=("ines-varga",),
        days_ago=47.6,
        en=Version(
            slug="we-are-not-a-start-up",
            title="'We are not a start-up': ten years of a bakers' cooperative",
            standfirst=(
                "Seven bakers bought their employer out when he retired. A decade later they "
                "are fourteen, they all earn the same hourly rate, and nobody works nights. "
                "Nour Khalil explains what it took."
            ),
            topics=("cooperatives", "working time"),
            body=(
                "The bakery on Tanner Street in Calderbridge has made bread since 1962. In its "
                "fiftieth year the owner wanted to retire and his children wanted to sell the "
                "building. The staff borrowed from a credit union, from customers and from "
                "their own savings, and took it over. Nour Khalil, who started there as an "
                "apprentice, is this year's elected coordinator.",
                q("ines-varga", "What was the hardest part of the first year?"),
                a(
                    NOUR,
                    "Learning that nobody else was going to decide. For years we had "
                    "complained about the boss. Suddenly there was no boss, and when the "
                    "oven broke in February it was our money and our decision. The first "
                    "meetings took four hours. Now they take one, because we wrote down how "
                    "we decide things.",
                ),
                q("ines-varga", "You abolished the night shift. How?"),
                a(
                    NOUR,
                    "By selling less bread at six in the morning and more at noon. The old "
                    "owner thought the early trade was sacred. We looked at the till rolls "
                    "and found it was a third of what he thought. We moved the first bake "
                    "to four o'clock, lost two cafés as customers and gained a school "
                    "kitchen. Nobody has worked a night since.",
                ),
                q("ines-varga", "People sometimes call cooperatives start-ups for the left."),
                a(
                    NOUR,
                    "We are not a start-up. Nobody here wants to be bought. The measure of "
                    "success is that the bakery is still here in another sixty years, with "
                    "people in it who can pay their rent.",
                ),
            ),
        ),
    ),
]
