"""The Long Table: the demo publication's name, links, furniture texts, sections and people."""

from __future__ import annotations

from masthead.demo.content.types import Person, Section

NAME = "The Long Table"
NAME_ES = "La Mesa Larga"
HOME_SLUG = "the-long-table"
HOME_SLUG_ES = "la-mesa-larga"
HOME_INTRO = (
    "Reporting, interviews and analysis from the places where work is done and history is "
    "argued over. Owned by nobody, paid for by its readers."
)
HOME_INTRO_ES = (
    "Crónicas, entrevistas y análisis desde los lugares donde se trabaja y donde la historia "
    "todavía se discute. Sin dueños, financiada por quienes la leen."
)

# Fake addresses only: example.org is reserved for documentation, and the channel
# handles belong to no one. Giving, the annual subscription and the campaign are the
# site's own pages (funding app), so no link overrides them; patronage elsewhere stays one.
LINKS = {
    "patron_url": "https://patrons.example.org/thelongtable",
    "telegram_url": "https://t.me/thelongtable_demo",
    "whatsapp_url": "https://whatsapp.example.org/channel/thelongtable-demo",
}

TEXTS = {
    "en": {
        "tagline": "Reporting and ideas from below, paid for by the people who read them.",
        "support_heading": "Keep The Long Table independent",
        "support_appeal": (
            "No owner, advertiser or foundation decides what we publish: our readers do, by "
            "paying for it. If this piece was worth your time, help us pay for the next one."
        ),
        "patron_label": "Become a patron",
        "newsletter_heading": "Get the Friday letter",
        "newsletter_blurb": (
            "One email a week with everything we published, one long read from the archive "
            "and nothing else. No tracking pixels."
        ),
        "channels_heading": "Follow us on WhatsApp and Telegram",
        "channels_blurb": (
            "New pieces on your phone as soon as they are out, with no feed deciding what you see."
        ),
        "subscription_heading": "Annual subscription",
        "subscription_text": (
            "Pay once a year and forget about it. An annual subscription costs less than a "
            "coffee a month and keeps every article free for everyone who cannot pay."
        ),
        "campaign_heading": "Our annual fund-raising campaign",
        "campaign_text": (
            "Once a year we ask readers to fund the next twelve months of reporting. The goal "
            "and the running total are public; every contribution counts towards them."
        ),
    },
    "es": {
        "tagline": "Periodismo e ideas desde abajo, financiados por quienes los leen.",
        "support_heading": "Mantén independiente a La Mesa Larga",
        "support_appeal": (
            "Ningún dueño, anunciante ni fundación decide lo que publicamos: lo deciden "
            "nuestros lectores, que lo pagan. Si este texto valió tu tiempo, ayúdanos a pagar "
            "el siguiente."
        ),
        "patron_label": "Hazte mecenas",
        "newsletter_heading": "Recibe la carta de los viernes",
        "newsletter_blurb": (
            "Un correo a la semana con todo lo que publicamos, una lectura larga del archivo "
            "y nada más. Sin píxeles de rastreo."
        ),
        "channels_heading": "Síguenos en WhatsApp y Telegram",
        "channels_blurb": (
            "Los textos nuevos en tu teléfono en cuanto salen, sin que ningún algoritmo "
            "decida qué ves."
        ),
        "subscription_heading": "Suscripción anual",
        "subscription_text": (
            "Paga una vez al año y olvídate. La suscripción anual cuesta menos que un café al "
            "mes y mantiene cada artículo gratis para quien no puede pagar."
        ),
        "campaign_heading": "Nuestra campaña anual de financiación",
        "campaign_text": (
            "Una vez al año pedimos a los lectores que financien los próximos doce meses de "
            "trabajo. La meta y lo recaudado son públicos; cada aporte suma."
        ),
    },
}

SECTIONS = [
    Section(
        "interviews",
        "Interviews",
        "Long conversations with the people our news is usually about.",
        "entrevistas",
        "Entrevistas",
        "Conversaciones largas con la gente de la que suelen tratar las noticias.",
    ),
    Section(
        "latin-america",
        "Latin America",
        "Reporting from Antaura and its neighbours, by writers who live there.",
        "america-latina",
        "América Latina",
        "Crónicas desde Antaura y sus vecinos, escritas por quienes viven allí.",
    ),
    Section("labour", "Labour", "Work, wages, unions and the fights over all three."),
    Section("analysis", "Analysis", "The numbers behind the news, read slowly."),
    Section("culture", "Culture & Ideas", "Essays on books, songs, archives and arguments."),
]

BOARD = "editorial-board"
INTERVIEWEE = "julian-ccori"

PEOPLE = [
    Person(
        "martin-sabogal",
        "Martín Sabogal",
        "Editor",
        "<p>Martín Sabogal edits The Long Table. He spent a decade on the night desk of a "
        "regional daily before it was bought and closed.</p>",
        es_role="Editor",
        es_bio="<p>Martín Sabogal dirige La Mesa Larga. Pasó diez años en la mesa de cierre "
        "de un diario regional hasta que lo compraron y lo cerraron.</p>",
    ),
    Person(
        "helen-osei",
        "Helen Osei",
        "Deputy editor",
        "<p>Helen Osei is deputy editor. She writes about health services and the people "
        "who staff them.</p>",
        es_role="Subdirectora",
        es_bio="<p>Helen Osei es subdirectora. Escribe sobre la sanidad pública y quienes "
        "la sostienen.</p>",
    ),
    Person(
        "daniel-achterberg",
        "Daniel Achterberg",
        "Analysis editor",
        "<p>Daniel Achterberg edits the Analysis section. He trained as a statistician and "
        "distrusts any chart without a source line.</p>",
        es_role="Editor de análisis",
        es_bio="<p>Daniel Achterberg edita la sección de análisis. Se formó como estadístico "
        "y desconfía de cualquier gráfico sin fuente.</p>",
    ),
    Person(
        "lucia-pereyra",
        "Lucía Pereyra",
        "Latin America editor",
        "<p>Lucía Pereyra edits our Latin America coverage from Yaral. She is writing a book "
        "on the land reform of the 1970s.</p>",
        es_role="Editora de América Latina",
        es_bio="<p>Lucía Pereyra edita nuestra cobertura de América Latina desde Yaral. "
        "Escribe un libro sobre la reforma agraria de los años setenta.</p>",
    ),
    Person(
        "ines-varga",
        "Inés Varga",
        "Labour editor",
        "<p>Inés Varga edits the Labour section. Before journalism she was a shop steward "
        "in a food-processing plant.</p>",
        es_role="Editora de trabajo",
        es_bio="<p>Inés Varga edita la sección de trabajo. Antes del periodismo fue delegada "
        "sindical en una planta de alimentos.</p>",
    ),
    Person(
        BOARD,
        "The Long Table Editorial Board",
        "Editorial board",
        "<p>The five editors who decide, together, what The Long Table publishes.</p>",
        es_role="Consejo editorial",
        es_bio="<p>Los cinco editores que deciden, juntos, qué publica La Mesa Larga.</p>",
        es_name="Consejo Editorial de La Mesa Larga",
        members=(
            "martin-sabogal",
            "helen-osei",
            "daniel-achterberg",
            "lucia-pereyra",
            "ines-varga",
        ),
    ),
    Person(
        INTERVIEWEE,
        "Julián Ccori Mendaña",
        "Philosophy teacher",
        "<p>Julián Ccori Mendaña teaches philosophy at the National University of San "
        "Bartolomé in Yaral, where he also completed his master's degree in 2016. His work "
        "follows the history of modern ideas of progress in the Andes: how the promise of "
        "development arrived together with new kinds of discipline, debt and dispossession, "
        "and how the people on the receiving end of that promise argued back.</p>"
        "<p>He has run reading groups and workshops for miners' unions, market traders' "
        "associations and neighbourhood assemblies for more than ten years, and is the author "
        "of <i>The Altitude of Reason</i>, a collection of essays on philosophy written in "
        "and about the highlands.</p>",
        es_role="Profesor de filosofía",
        es_bio="<p>Julián Ccori Mendaña enseña filosofía en la Universidad Nacional de San "
        "Bartolomé, en Yaral, donde también terminó su maestría en 2016. Su trabajo sigue la "
        "historia de las ideas modernas de progreso en los Andes: cómo la promesa del "
        "desarrollo llegó acompañada de nuevas formas de disciplina, deuda y despojo, y cómo "
        "quienes recibían esa promesa le respondieron.</p>"
        "<p>Desde hace más de diez años coordina grupos de lectura y talleres con sindicatos "
        "mineros, asociaciones de comerciantes de mercado y asambleas vecinales, y es autor "
        "de <i>La altura de la razón</i>, un libro de ensayos sobre filosofía escrita en la "
        "sierra y sobre ella.</p>",
        links=(("University page", "https://unsb.example.org/people/jccori"),),
    ),
    Person(
        "nadia-ferran",
        "Nadia Ferrán",
        "Correspondent in Yaral",
        "<p>Nadia Ferrán reports on politics and the economy from Antaura's capital.</p>",
        es_role="Corresponsal en Yaral",
        es_bio="<p>Nadia Ferrán cubre la política y la economía desde la capital de Antaura.</p>",
    ),
    Person(
        "ramon-acha",
        "Ramón Achá",
        "Reporter, southern highlands",
        "<p>Ramón Achá grew up in a mining camp above Challwamarka and has covered the "
        "southern highlands for twelve years.</p>",
        es_role="Reportero, sierra sur",
        es_bio="<p>Ramón Achá creció en un campamento minero sobre Challwamarka y cubre la "
        "sierra sur desde hace doce años.</p>",
    ),
    Person(
        "catalina-ibarra",
        "Catalina Ibarra",
        "Contributing writer",
        "<p>Catalina Ibarra writes in Spanish about education, music and the port of Puerto "
        "Calema, where she lives.</p>",
        es_role="Colaboradora",
        es_bio="<p>Catalina Ibarra escribe sobre educación, música y el puerto de Puerto "
        "Calema, donde vive.</p>",
    ),
    Person(
        "samuel-okoye",
        "Samuel Okoye",
        "Labour reporter",
        "<p>Samuel Okoye covers warehouses, couriers and the logistics trade from "
        "Calderbridge.</p>",
        links=(("Telegram", "https://t.me/sokoye_demo"),),
    ),
    Person(
        "greta-lindqvist",
        "Greta Lindqvist",
        "Economics writer",
        "<p>Greta Lindqvist writes about debt, commodities and the economics of places that "
        "export what they dig up.</p>",
    ),
    Person(
        "farida-haddad",
        "Farida Haddad",
        "Climate and energy writer",
        "<p>Farida Haddad writes about heat, water and the energy transition as it is lived "
        "by the people who do the work.</p>",
    ),
    Person(
        "tomasz-wrobel",
        "Tomasz Wróbel",
        "European labour correspondent",
        "<p>Tomasz Wróbel reports on transport, agriculture and migrant labour across Europe.</p>",
    ),
    Person(
        "aiko-brennan",
        "Aiko Brennan",
        "Essayist",
        "<p>Aiko Brennan writes essays about books, archives and the culture of working "
        "people.</p>",
    ),
]
