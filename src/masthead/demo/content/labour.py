"""Labour: warehouses, couriers, care work, transport and farm work in fictional towns."""

from __future__ import annotations

from masthead.demo.content.types import Heading, Piece, Quote, Version

PIECES = [
    Piece(
        section="labour",
        kind="news",
        authors=("samuel-okoye",),
        days_ago=5.1,
        en=Version(
            slug="calderbridge-warehouse-votes-for-a-union",
            title="Calderbridge warehouse workers vote for a union at the third attempt",
            standfirst=(
                "After two defeats in four years, pickers and packers at the Fenwick Road "
                "distribution centre voted by 612 to 488 to be represented by a union."
            ),
            topics=("unions", "logistics"),
            body=(
                "The first ballot, in the spring four years ago, was lost by eleven votes. The "
                "second was lost by ninety, after the company hired consultants who held "
                "compulsory meetings on every shift. This time the organisers changed tactics: "
                "no public campaign until they had a named contact on every aisle.",
                "'We stopped trying to win the argument in the canteen,' said Joanne Pryce, who "
                "packs parcels on the night shift. 'We won it one conversation at a time, in "
                "the car park, at the bus stop, in people's kitchens.'",
                "The company said it was 'disappointed but respects the result' and would meet "
                "the union within the legal deadline. The first demand on the list is not pay "
                "but the scanner targets that set how many items a picker must handle each hour.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="report",
        authors=("samuel-okoye",),
        days_ago=26.3,
        en=Version(
            slug="the-app-that-plans-a-couriers-day",
            title="The app that plans a courier's day",
            standfirst=(
                "For a week we followed a food courier in Calderbridge and logged every "
                "instruction his phone gave him. The app made 212 decisions about his work. He "
                "made nine."
            ),
            topics=("platform work", "logistics", "unions"),
            body=(
                "Kwame starts his shift when the app says the zone is busy, which is not the "
                "same as when the restaurants are. On Tuesday it was 11.40. By 11.42 he had an "
                "order, a route and a deadline, none of which he could negotiate.",
                "Over seven days the app offered him 148 jobs and he accepted 139; refusing "
                "more, other couriers told him, would push him down the queue. It chose his "
                "route 61 times, overruling the shortcut he knows through the market twice. It "
                "changed his pay per drop three times without notice.",
                Heading("The nine decisions"),
                "The decisions left to Kwame were these: when to stop for lunch, twice; which "
                "jacket to wear in the rain; whether to answer a customer's message; and, on "
                "five occasions, whether to ride through a red light to make a deadline he had "
                "not set. He did not, but he said he understood why others do.",
                Quote(
                    "It is not that I have a boss. It is that my boss is a clock I cannot see.",
                    "Kwame, courier",
                ),
                "The company says couriers are free to log off whenever they want. That is "
                "true. It is also true that the app remembers.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="analysis",
        authors=("farida-haddad",),
        days_ago=14.2,
        updated_days_ago=10.0,
        en=Version(
            slug="heat-limits-for-outdoor-work-explained",
            title="Heat limits for outdoor work, explained",
            standfirst=(
                "Summers are getting hotter and the rules for people who work outside have not "
                "kept up. Here is what the limits are, where they exist, and why unions want "
                "them written down."
            ),
            topics=("climate", "public health", "unions"),
            body=(
                "Most workplace rules say an employer must keep staff safe, without saying at "
                "what temperature that stops being possible. A few places now set numbers: "
                "work must stop, or rest breaks must lengthen, when a heat index passes a "
                "threshold that combines temperature and humidity.",
                "The evidence behind the numbers is not controversial. Above about thirty-two "
                "degrees with high humidity, heavy physical work raises core body temperature "
                "faster than the body can shed it. Accidents rise well before anyone collapses, "
                "because tired, overheated people make mistakes with ladders and machines.",
                "Employers' groups argue that fixed limits are too blunt for work that varies "
                "so much. Unions answer that without a number, the decision to stop is left to "
                "the person with the most to lose by making it.",
                "Update: this article was revised to include the regional limits agreed for "
                "construction sites after it was first published.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="report",
        authors=("tomasz-wrobel",),
        days_ago=36.0,
        en=Version(
            slug="a-strike-fund-that-pays-in-twelve-hours",
            title="A strike fund that pays out within twelve hours",
            standfirst=(
                "Most strikes are lost at the end of the first month, when the rent is due. A "
                "network of small donors in the north has found a way to pay strikers before "
                "that happens."
            ),
            topics=("strikes", "unions"),
            body=(
                "The fund started after a cleaning contractors' strike collapsed in its fifth "
                "week. The cleaners had won public sympathy and lost the dispute anyway, because "
                "strike pay from their union arrived by cheque, a fortnight late.",
                "The new fund works differently. About four thousand people pay a small amount "
                "each month. When a strike is called by a recognised union and the strikers "
                "apply, a volunteer committee checks the list against the union's and money "
                "goes straight to bank accounts, usually the same day.",
                "It has paid out in eleven disputes so far. Organisers say the money matters "
                "less than the timing: a striker who knows the rent is covered can say no to "
                "the first offer.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="news",
        authors=("tomasz-wrobel",),
        days_ago=3.3,
        en=Version(
            slug="merrow-bus-drivers-take-night-shifts-to-arbitration",
            title="Merrow bus drivers take the night-shift dispute to arbitration",
            standfirst=(
                "Drivers say new rosters leave them with less than eleven hours between the "
                "end of a night shift and the start of the next."
            ),
            topics=("unions", "transport"),
            body=(
                "The operator introduced the rosters in the autumn to cover the city's new "
                "all-night routes without hiring more drivers. The union says at least forty "
                "drivers have worked turnarounds shorter than the legal rest period.",
                "Both sides agreed on Monday to refer the dispute to the regional arbitration "
                "service rather than go ahead with a planned overtime ban. The night routes will "
                "keep running while the case is heard.",
                "Passengers' groups backed the drivers. 'Nobody wants the night bus,' said one, "
                "'driven by someone who has been awake since the day bus.'",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="opinion",
        authors=("ines-varga",),
        days_ago=62.5,
        en=Version(
            slug="care-workers-are-the-industrial-working-class-now",
            title="Care workers are the industrial working class now",
            standfirst=(
                "The image of the worker in our politics is still a man in a hard hat. The "
                "person who actually does the work that keeps the country running is more "
                "likely to be a woman with a bus pass and six visits before lunch."
            ),
            topics=("public health", "unions", "working time"),
            body=(
                "There are now more people employed in care than in all of manufacturing. They "
                "work shifts, to targets, in teams, for large employers who answer to investors. "
                "By every measure that once defined the industrial working class, they are it.",
                "What they lack is the thing that made the old industrial workforce powerful: "
                "being in one place together. A care worker's shop floor is forty separate "
                "kitchens. The union meeting has to happen on the bus.",
                "That is a reason to organise differently, not a reason to believe it cannot be "
                "done. The first factory workers were told the same thing about themselves.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="report",
        authors=("samuel-okoye",),
        days_ago=79.4,
        en=Version(
            slug="what-a-four-day-week-at-a-print-works-found",
            title="What a four-day week at a print works actually found",
            standfirst=(
                "A Calderbridge printer cut the working week to four days for six months with "
                "no loss of pay. Output barely moved. Sick days halved. The argument was about "
                "the Friday deliveries."
            ),
            topics=("working time", "unions"),
            body=(
                "Harlow & Daughters prints catalogues, packaging and, twice a year, a run of "
                "election leaflets. Its forty staff agreed the trial with management after a "
                "year in which three experienced printers left for warehouse jobs with better "
                "hours.",
                "The results surprised both sides. Output over the six months was within two "
                "percent of the year before. Sick days fell by half. Two people who had planned "
                "to leave stayed.",
                "The hard part was customers who wanted deliveries on Fridays. The solution, "
                "worked out on the shop floor rather than in the office, was to stagger the "
                "day off across two teams. The trial has been extended for a year.",
            ),
        ),
    ),
    Piece(
        section="labour",
        kind="report",
        authors=("tomasz-wrobel",),
        days_ago=90.2,
        en=Version(
            slug="the-seasonal-visa-that-ties-pickers-to-one-farm",
            title="The seasonal visa that ties pickers to one farm",
            standfirst=(
                "Fruit pickers on short-term visas cannot change employer without leaving the "
                "country. Some of them told us what that does to a working day."
            ),
            topics=("migration", "agriculture", "unions"),
            body=(
                "The visa lasts six months and names one farm. A picker who leaves it, for any "
                "reason, has fourteen days to find a new sponsor or go home, and new sponsors "
                "are rare mid-season. Recruitment fees paid at home often take most of the "
                "first two months' wages to repay.",
                "The pickers we spoke to, on three farms, described piece rates that change "
                "from week to week, caravans shared by six people, and supervisors who remind "
                "them who holds the paperwork. None wanted to be named.",
                "Farm owners say they could not bring in the harvest without the scheme. Nobody "
                "disputes that. The question the pickers ask is why a scheme they depend on "
                "should leave them so little room to say no.",
            ),
        ),
    ),
]
