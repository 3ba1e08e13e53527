"""Word banks for synthetic articles: fictional places, people and stock newsroom sentences.

Combined at random they make pieces that read like local reporting, distinct enough that
search, related posts and listings behave as they would with a real archive.
"""

from __future__ import annotations

PLACES = [
    "Calderbridge",
    "Merrow",
    "Port Halden",
    "Yaral",
    "Puerto Calema",
    "Challwamarka",
    "Tayacaja Alta",
    "Chumbes",
    "San Hilario",
    "Santa Clara",
    "Ashby Cross",
    "Lowmoor",
    "Kestrel Bay",
    "Orrin Falls",
    "Marrick",
    "Dunmore Vale",
    "Eastwick Quay",
    "Hollin",
    "Brackenford",
    "Villa Serena",
    "Antara Baja",
    "Quenhua",
    "Wayllapampa",
    "Sirqa",
    "Mayuchaka",
    "Fenwick",
    "Greyhithe",
    "Tolland Moor",
    "Ravensend",
    "Pallca Grande",
    "Ocopampa",
    "Llacta Nueva",
    "Corran Heath",
    "Wexley",
    "Saltmarsh End",
    "Ribera Alta",
]

SUBJECTS = [
    "the bus depot closure",
    "the new water tariff",
    "the pension reform",
    "the port expansion",
    "the rent freeze",
    "the school meals contract",
    "the minimum wage review",
    "the copper royalty",
    "the hospital night shifts",
    "the housing cooperative",
    "the rail franchise",
    "the fishing quota",
    "the council budget",
    "the harvest contracts",
    "the tailings dam",
    "the energy price cap",
    "the library cuts",
    "the tram extension",
    "the textile mill sale",
    "the flood defences",
    "the market relocation",
    "the clinic merger",
    "the mine expansion",
    "the ferry timetable",
    "the land registry",
    "the teachers' pay scale",
    "the warehouse targets",
    "the irrigation scheme",
    "the road toll",
    "the care home contracts",
]

GROUPS = [
    "nurses",
    "dockers",
    "teachers",
    "tenants",
    "bus drivers",
    "miners",
    "cleaners",
    "care workers",
    "fishing crews",
    "market traders",
    "students",
    "small farmers",
    "librarians",
    "couriers",
    "warehouse staff",
    "seasonal pickers",
    "firefighters",
    "postal workers",
    "street vendors",
    "hospital porters",
    "rail workers",
    "bakers",
]

OFFICIALS = [
    "the regional government",
    "the city council",
    "the health trust",
    "the port authority",
    "the mining ministry",
    "the transport board",
    "the water company",
    "the labour inspectorate",
]

FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carmen",
    "Dylan",
    "Elena",
    "Femi",
    "Gloria",
    "Hamid",
    "Irene",
    "Jonas",
    "Karin",
    "Luis",
    "Maya",
    "Nikolai",
    "Olga",
    "Pedro",
    "Qamar",
    "Rosa",
    "Sean",
    "Teresa",
    "Ulla",
    "Víctor",
    "Wendy",
    "Ximena",
    "Yusuf",
    "Zoe",
]

LAST_NAMES = [
    "Achá",
    "Brooks",
    "Condori",
    "Dlamini",
    "Eriksen",
    "Flores",
    "Grant",
    "Huamán",
    "Iqbal",
    "Jensen",
    "Kowalski",
    "Lloyd",
    "Mamani",
    "Novak",
    "Ortiz",
    "Pryce",
    "Quispe",
    "Rahman",
    "Soto",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Walsh",
    "Yupanqui",
    "Zeller",
]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

TOPICS = [
    "Antaura",
    "unions",
    "history",
    "mining",
    "strikes",
    "climate",
    "debt",
    "elections",
    "public health",
    "working time",
    "water",
    "agriculture",
    "inflation",
    "media",
    "cooperatives",
    "migration",
    "education",
    "logistics",
    "housing",
    "transport",
    "energy",
]

TITLES = [
    "{Group} in {place} vote to strike over {subject}",
    "What {subject} means for {group} in {place}",
    "Inside the fight over {subject} in {place}",
    "{Place} and {subject}, explained",
    "After {subject}, {group} in {place} count the cost",
    "{Group} win concessions on {subject} in {place}",
    "The long argument over {subject} in {place}",
    "Why {group} in {place} are watching {subject}",
    "{Place} delays {subject} again",
    "A year of {subject}: what changed in {place}",
    "Who pays for {subject} in {place}?",
    "Notes from {place}: {group} on {subject}",
    "{Group} in {place} take {subject} to court",
    "In {place}, {subject} divides the town",
    "Five questions about {subject} in {place}",
    "{Group} in {place} say {subject} came without warning",
    "The numbers behind {subject} in {place}",
    "How {group} in {place} organised against {subject}",
]

STANDFIRSTS = [
    "{Group} in {place} say {subject} was decided without them. {Official_cap} disagrees.",
    "For {years} years {subject} was a promise. In {place}, {group} are still waiting.",
    "{Official_cap} calls {subject} a saving. {Group} in {place} call it a cut.",
    "A report from {place}, where {subject} has set {group} against {official}.",
    "{Subject_cap} affects about {thousands} people in {place}. We asked {group} what it "
    "means for them.",
]

OPENINGS = [
    "For {group} in {place}, {subject} stopped being an abstraction one morning in {month}.",
    "Nobody in {place} remembers a dispute quite like the one over {subject}.",
    "{Subject_cap} was announced in {place} with a press release and a promise that little "
    "would change for {group}.",
    "The first sign that {subject} would be contested came from {group}, who filled the "
    "council chamber in {place} in {month}.",
    "On paper, {subject} is a technical matter. In {place} it has become the question "
    "everyone argues about.",
]

CONTEXT = [
    "{Official_cap} says the change will save {small} percent of the annual budget within "
    "three years.",
    "Local records show the plan was first drafted {years} years ago and shelved twice.",
    "{Person}, who has worked in {place} for {years} years, says the consultation lasted a "
    "fortnight.",
    "The decision affects about {thousands} people, according to figures from the regional "
    "statistics office.",
    "The last comparable change, in {month} {year}, was reversed after a court challenge.",
    "Neighbouring towns have watched closely, because several face the same choice.",
]

QUOTES = [
    "'We were told it was temporary,' said {person}. 'Temporary has now lasted {years} years.'",
    "'Nobody asked the people who actually do the work,' said {person}, who speaks for {group} "
    "in {place}.",
    "'We are not against change,' said {person}. 'We are against being the last to hear "
    "about it.'",
    "'If they had come to a single meeting, they would have seen the problem,' said {person}.",
    "'Our members voted for this by a large margin,' said {person}. 'That should count for "
    "something.'",
]

NUMBERS = [
    "Since {month}, average pay for {group} in {place} has risen by {small} percent, while "
    "local rents rose by {medium} percent.",
    "About {medium} percent of {group} in {place} are on temporary contracts, up from "
    "{small} percent a decade ago.",
    "The budget line for {subject} has fallen by {medium} percent in real terms since {year}.",
    "Waiting times linked to {subject} have grown by {medium} percent, according to figures "
    "released in {month}.",
]

REACTIONS = [
    "{Official_cap} said it would publish a full response before the end of the year.",
    "Opposition councillors have called for an independent review.",
    "A spokesperson for {official} said the figures were 'under discussion'.",
    "Employers' representatives declined to comment on the record.",
    "{Official_cap} has offered talks, but no date has been set.",
]

CLOSINGS = [
    "For now, {group} in {place} say they will keep meeting every week until they get an answer.",
    "The next vote on {subject} is expected in {month}.",
    "Whatever the outcome, few in {place} expect the argument to end there.",
    "{Person} put it simply: 'We will still be here when they have moved on.'",
    "The story of {subject} in {place} is, in the end, a story about who gets asked.",
]
