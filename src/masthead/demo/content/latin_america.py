"""Latin America: reporting from the fictional Republic of Antaura, some pieces in both languages."""

from __future__ import annotations

from masthead.demo.content.types import Heading, Piece, Quote, Version

PIECES = [
    Piece(
        section="latin-america",
        kind="news",
        authors=("nadia-ferran",),
        days_ago=4.2,
        updated_days_ago=3.1,
        en=Version(
            slug="antauras-new-president-meets-a-hostile-congress",
            title="Antaura's new president meets a Congress that wants her gone",
            standfirst=(
                "Ana Lucía Mamani has been in office for less than a month. Opposition deputies "
                "have already tabled a motion to remove her for 'moral incapacity'."
            ),
            topics=("Antaura", "elections"),
            body=(
                "The motion, signed by thirty-two deputies from three opposition parties, accuses "
                "the president of 'undermining legal certainty' by announcing a review of mining "
                "contracts signed in the 1990s. It needs 87 votes to pass. Her coalition, the "
                "Common Front, holds 41 seats, so the arithmetic depends on a dozen deputies from "
                "small regional parties who have not said how they will vote.",
                "Mamani answered from a balcony of the government palace in Yaral on Tuesday "
                "evening, in front of several thousand people who had marched from the southern "
                "districts. 'They did not vote for me, and they have not forgiven the people who "
                "did,' she said. Her ministers have spent the week meeting the regional parties "
                "one by one.",
                "Markets have taken the news calmly so far. The currency fell by less than one "
                "percent on the day the motion was tabled, and the central bank said it saw no "
                "reason to intervene.",
                "Update: on Wednesday the Congress's steering committee postponed the debate "
                "until after the budget vote, which buys the government at least six weeks.",
            ),
        ),
        es=Version(
            slug="la-nueva-presidenta-de-antaura-y-un-congreso-hostil",
            title="La nueva presidenta de Antaura se enfrenta a un Congreso que la quiere fuera",
            standfirst=(
                "Ana Lucía Mamani lleva menos de un mes en el cargo. Diputados de la oposición "
                "ya presentaron una moción para destituirla por «incapacidad moral»."
            ),
            topics=("Antaura", "elecciones"),
            body=(
                "La moción, firmada por treinta y dos diputados de tres partidos de oposición, "
                "acusa a la presidenta de «socavar la seguridad jurídica» al anunciar una revisión "
                "de los contratos mineros firmados en los noventa. Necesita 87 votos. Su "
                "coalición, el Frente Común, tiene 41 escaños, así que la aritmética depende de una "
                "docena de diputados de pequeños partidos regionales que no han dicho cómo votarán.",
                "Mamani respondió el martes por la noche desde un balcón del palacio de gobierno "
                "en Yaral, ante varios miles de personas que habían marchado desde los distritos "
                "del sur. «No votaron por mí, y no le perdonan a la gente que sí lo hizo», dijo. "
                "Sus ministros han pasado la semana reuniéndose uno por uno con los partidos "
                "regionales.",
                "Los mercados se lo han tomado con calma por ahora. La moneda cayó menos de un "
                "uno por ciento el día en que se presentó la moción, y el banco central dijo que "
                "no veía motivos para intervenir.",
                "Actualización: el miércoles la junta directiva del Congreso aplazó el debate "
                "hasta después de la votación del presupuesto, lo que le da al gobierno al menos "
                "seis semanas.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="report",
        authors=("ramon-acha", "nadia-ferran"),
        days_ago=12.5,
        en=Version(
            slug="in-challwamarka-the-river-runs-orange",
            title="In Challwamarka, the river runs orange",
            standfirst=(
                "Below the oldest copper pit in Antaura, farmers measure the health of their "
                "fields by the colour of the water. This year it has been the colour of rust "
                "since March."
            ),
            topics=("mining", "water", "Antaura"),
            body=(
                "Rosa Huanca keeps a jam jar on the wall of her irrigation channel. Every "
                "morning she fills it and holds it up to the light. Clear water means she can "
                "open the sluice to her potato terraces. Orange means she waits. 'This year I "
                "have been waiting since March,' she says.",
                "The colour comes from acid drainage: rainwater running through old waste rock "
                "and carrying dissolved iron and copper down the valley. The state company that "
                "ran the mine until 1995 built a treatment pond; its private successor says the "
                "pond is the state's liability, and the state says it was sold with the mine.",
                Heading("A liability with no owner"),
                "The environment ministry's own samples, seen by The Long Table, show copper "
                "levels in the river at six times the limit for irrigation water on eleven of "
                "the last twelve sampling days. The ministry has not published them.",
                Quote(
                    "Clear water means I can open the sluice. Orange means I wait.",
                    "Rosa Huanca, farmer",
                ),
                "The new government has promised an audit of every abandoned mine site in the "
                "south. Farmers in the valley have heard promises before. What they want this "
                "time, Huanca says, is a date, and someone whose name is on it.",
            ),
        ),
        es=Version(
            slug="en-challwamarka-el-rio-baja-naranja",
            title="En Challwamarka, el río baja naranja",
            standfirst=(
                "Debajo del tajo de cobre más antiguo de Antaura, los campesinos miden la salud "
                "de sus chacras por el color del agua. Este año tiene color de óxido desde marzo."
            ),
            topics=("minería", "agua", "Antaura"),
            body=(
                "Rosa Huanca tiene un frasco de mermelada en el muro de su canal de riego. Cada "
                "mañana lo llena y lo levanta contra la luz. Si el agua sale clara, puede abrir "
                "la compuerta hacia sus andenes de papa. Si sale naranja, espera. «Este año estoy "
                "esperando desde marzo», dice.",
                "El color viene del drenaje ácido: el agua de lluvia atraviesa los viejos "
                "desmontes y arrastra hierro y cobre disueltos valle abajo. La empresa estatal "
                "que explotó la mina hasta 1995 construyó una poza de tratamiento; su sucesora "
                "privada dice que la poza es responsabilidad del Estado, y el Estado dice que se "
                "vendió junto con la mina.",
                Heading("Un pasivo sin dueño"),
                "Las muestras del propio ministerio del ambiente, a las que tuvo acceso La Mesa "
                "Larga, muestran niveles de cobre en el río seis veces por encima del límite "
                "para agua de riego en once de los últimos doce días de muestreo. El ministerio "
                "no las ha publicado.",
                Quote(
                    "Si el agua sale clara, abro la compuerta. Si sale naranja, espero.",
                    "Rosa Huanca, campesina",
                ),
                "El nuevo gobierno ha prometido auditar todos los sitios mineros abandonados del "
                "sur. En el valle ya han escuchado promesas. Lo que quieren esta vez, dice "
                "Huanca, es una fecha, y alguien que firme debajo.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="news",
        authors=("nadia-ferran",),
        days_ago=17.3,
        updated_days_ago=16.2,
        en=Version(
            slug="puerto-calema-dockers-win-a-contract",
            title="Puerto Calema dockers win a contract after a nineteen-day stoppage",
            standfirst=(
                "The agreement ends day-labour hiring on the container terminal and guarantees "
                "a minimum of sixteen shifts a month to every registered docker."
            ),
            topics=("strikes", "unions", "Antaura"),
            body=(
                "The dispute began when the terminal's operator tried to extend its use of "
                "workers hired by the shift through an app, without a contract and without "
                "the safety training required of permanent staff. Two men were injured in a "
                "crane accident in the first week of the trial.",
                "For nineteen days no container ship was loaded at Puerto Calema, which handles "
                "most of the country's copper exports. The operator's parent company, listed "
                "abroad, warned its shareholders of 'regional disruption'.",
                "Under the deal signed on Saturday, app hiring ends on the terminal, every "
                "registered docker is guaranteed sixteen paid shifts a month, and the two "
                "injured men will be paid in full while they recover. The union's secretary, "
                "Efraín Choque, called it 'the first contract in twenty years that we wrote "
                "and they signed, not the other way round'.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="essay",
        authors=("lucia-pereyra",),
        days_ago=31.0,
        en=Version(
            slug="fifty-years-after-the-land-reform",
            title="Fifty years after the land reform, who owns the Yaral valley?",
            standfirst=(
                "The colonels broke up the great estates in 1972. Walk the valley today and you "
                "find the reform everywhere, and almost none of the cooperatives it created."
            ),
            topics=("history", "agriculture", "Antaura"),
            body=(
                "The hacienda house at Santa Clara still stands, roofless, at the head of the "
                "valley. Children from the school next door use its courtyard as a football "
                "pitch. Fifty years ago it was the office of the Santa Clara Agrarian "
                "Cooperative, which farmed two thousand hectares with a tractor fleet and an "
                "agronomist sent from the capital.",
                "The cooperative lasted fourteen years. When credit dried up in the 1980s its "
                "members voted to divide the land into family plots, and most of them have "
                "divided it again among their children since. The average holding in the valley "
                "is now under two hectares. The land reform succeeded in its first aim, to end "
                "the hacienda, and failed in its second, to build something larger in its place.",
                "And yet no one in the valley wants the old order back. The elderly people I "
                "spoke to remembered the reform less as an economic policy than as a change in "
                "posture: the day they no longer had to take off their hats to the owner. That "
                "memory is part of why the valley voted as it did this year. It is also a "
                "warning. A reform that changes who owns the land without changing who decides "
                "the price of what it grows will be undone by the market one plot at a time.",
            ),
        ),
        es=Version(
            slug="cincuenta-anos-despues-de-la-reforma-agraria",
            title="Cincuenta años después de la reforma agraria, ¿de quién es el valle de Yaral?",
            standfirst=(
                "Los coroneles repartieron las haciendas en 1972. Quien recorra hoy el valle "
                "encontrará la reforma por todas partes, y casi ninguna de las cooperativas que "
                "creó."
            ),
            topics=("historia", "agricultura", "Antaura"),
            body=(
                "La casa hacienda de Santa Clara sigue en pie, sin techo, en la cabecera del "
                "valle. Los chicos de la escuela de al lado usan su patio como cancha de fútbol. "
                "Hace cincuenta años era la oficina de la Cooperativa Agraria Santa Clara, que "
                "trabajaba dos mil hectáreas con una flota de tractores y un agrónomo enviado "
                "desde la capital.",
                "La cooperativa duró catorce años. Cuando se cortó el crédito en los ochenta, sus "
                "socios votaron dividir la tierra en parcelas familiares, y desde entonces la "
                "mayoría la ha vuelto a dividir entre sus hijos. La parcela media del valle tiene "
                "hoy menos de dos hectáreas. La reforma cumplió su primer objetivo, acabar con la "
                "hacienda, y fracasó en el segundo, construir algo más grande en su lugar.",
                "Y sin embargo nadie en el valle quiere volver al orden antiguo. Los ancianos con "
                "los que hablé recordaban la reforma menos como una política económica que como "
                "un cambio de postura: el día en que dejaron de quitarse el sombrero ante el "
                "patrón. Ese recuerdo explica en parte cómo votó el valle este año. También es "
                "una advertencia. Una reforma que cambia quién es dueño de la tierra sin cambiar "
                "quién fija el precio de lo que produce será deshecha por el mercado, parcela a "
                "parcela.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="report",
        authors=("ramon-acha",),
        days_ago=40.4,
        en=Version(
            slug="the-ucumari-highway",
            title="The Ucumari highway: a road through the forest, and who it is for",
            standfirst=(
                "A four-hundred-kilometre road would link the eastern lowlands to the coast. "
                "The communities along its route were consulted after the contract was signed."
            ),
            topics=("indigenous rights", "climate", "Antaura"),
            body=(
                "On the map in the transport ministry, the Ucumari highway is a clean red line "
                "from the river port of San Hilario to the Pacific. On the ground it is a "
                "survey trail cut through forest that eleven indigenous communities use for "
                "hunting, fishing and moving between villages.",
                "The law requires prior consultation with affected communities. The ministry "
                "held it, but four months after the construction contract was awarded, in "
                "meetings where the route was presented as settled. 'They asked us where we "
                "wanted the bus stops,' said one community president.",
                "The road's backers say it will halve the cost of getting lowland produce to "
                "market. Its critics point to the pattern along every road built into the "
                "forest in the last forty years: first the loggers, then the cattle, then the "
                "fires. The new government has suspended work on the last two sections while "
                "the consultation is repeated, this time, it says, before anything is decided.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="news",
        authors=("greta-lindqvist",),
        days_ago=55.2,
        en=Version(
            slug="remittances-outweigh-copper-royalties",
            title="Remittances now outweigh copper royalties in three highland provinces",
            standfirst=(
                "Money sent home by migrants has overtaken the mining royalties that were "
                "supposed to fund development in the south, according to central bank figures."
            ),
            topics=("migration", "mining", "Antaura"),
            body=(
                "In the provinces of Challwamarka, Tayacaja Alta and Chumbes, families received "
                "more money last year from relatives working abroad than the provincial "
                "governments received in mining royalties. It is the first time the central "
                "bank has published the two series side by side.",
                "The royalty system was designed in the 1990s to share the benefits of mining "
                "with the regions where it happens. Its rates were fixed low and never revised. "
                "Remittances, meanwhile, have risen every year for a decade, most of them from "
                "workers in construction and care jobs in Europe and North America.",
                "Economists in Yaral read the figures in opposite ways. For some they show that "
                "the south is adapting. For others they show that the region's most valuable "
                "export is no longer copper but its young people.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="news",
        authors=("catalina-ibarra",),
        days_ago=7.0,
        en=Version(
            slug="the-teachers-march-reaches-yaral",
            title="The teachers' march reaches Yaral after six hundred kilometres",
            standfirst=(
                "Rural teachers walked for twenty-six days from Puerto Calema to the capital to "
                "demand that the new government keep its promise on pay."
            ),
            topics=("education", "unions", "Antaura"),
            body=(
                "They left Puerto Calema three hundred strong and arrived in Yaral on Sunday "
                "with several thousand behind them. Along the route, villages put the marchers "
                "up in school buildings, and parents walked the stretch to the next town with "
                "them.",
                "A rural teacher in Antaura earns about a third less than a colleague in the "
                "capital for the same grade, and many teach several age groups in a single "
                "classroom. The Common Front promised during the campaign to close the gap "
                "within two years. The budget sent to Congress closes a quarter of it.",
                "The education minister, a former teacher herself, came out to meet the march "
                "in the Plaza de la Independencia and asked for time. The teachers gave her a "
                "date instead: the budget vote.",
            ),
        ),
        es=Version(
            slug="la-marcha-de-los-maestros-llega-a-yaral",
            title="La marcha de los maestros llega a Yaral tras seiscientos kilómetros",
            standfirst=(
                "Maestros rurales caminaron veintiséis días desde Puerto Calema hasta la capital "
                "para exigir que el nuevo gobierno cumpla su promesa salarial."
            ),
            topics=("educación", "sindicatos", "Antaura"),
            body=(
                "Salieron de Puerto Calema trescientos y llegaron a Yaral el domingo con varios "
                "miles detrás. A lo largo de la ruta, los pueblos alojaron a los caminantes en "
                "las escuelas, y los padres los acompañaban a pie hasta el pueblo siguiente.",
                "Un maestro rural en Antaura gana cerca de un tercio menos que un colega de la "
                "capital con la misma categoría, y muchos enseñan a varios grados a la vez en un "
                "aula única. El Frente Común prometió en campaña cerrar esa brecha en dos años. "
                "El presupuesto enviado al Congreso cierra una cuarta parte.",
                "La ministra de Educación, maestra ella misma, salió a recibir la marcha en la "
                "Plaza de la Independencia y pidió tiempo. Los maestros le dieron, en cambio, una "
                "fecha: la votación del presupuesto.",
            ),
        ),
    ),
    Piece(
        section="latin-america",
        kind="analysis",
        authors=("martin-sabogal",),
        days_ago=20.6,
        en=Version(
            slug="why-the-1994-constitution-is-back-on-the-table",
            title="Why the 1994 constitution is back on the table",
            standfirst=(
                "Antaura's constitution was written in a year of emergency, to make a programme "
                "of privatisation permanent. Thirty years later, a majority of voters want to "
                "rewrite it. Rewriting it is the hard part."
            ),
            topics=("Antaura", "elections", "history"),
            body=(
                "Constitutions are usually described as rules of the game. The 1994 text was "
                "something more specific: a set of rules about which games could no longer be "
                "played. It bars the state from running businesses except in narrow cases, "
                "protects contracts signed under it from later changes in law, and makes "
                "amendment depend on the Congress that benefits from it.",
                "The Common Front campaigned on a constituent assembly. The constitution does "
                "not provide for one. The government's lawyers argue that a referendum can "
                "create it; the opposition says that would be a coup by ballot box.",
                "The lesson from neighbouring countries that have tried this is that the legal "
                "route matters less than the majority behind it. An assembly elected by a "
                "narrow and tired majority can write a fine text and lose the vote to ratify "
                "it. The government's real deadline is not a legal one. It is how long its "
                "voters stay mobilised.",
            ),
        ),
    ),
]
