"""The flagship interview: the editorial board talks to a philosophy teacher from Yaral.

Both languages are written for this project. The Spanish version is a translation of the
English one, adapted where Spanish says things differently.
"""

from __future__ import annotations

from masthead.demo.content.publication import BOARD, INTERVIEWEE
from masthead.demo.content.types import Heading, Notes, Piece, Quote, Version, a, q

J = INTERVIEWEE

EN = Version(
    slug="the-altitude-of-power",
    title="The Altitude of Power: Julián Ccori Mendaña on Antaura's Long Century",
    standfirst=(
        "Antaura has a new government, a hostile Congress and an economy built to ship copper "
        "abroad. Our editorial board asked a philosophy teacher from Yaral how his country got "
        "here, and what its working people want from what comes next."
    ),
    topics=("Antaura", "history", "philosophy", "mining", "elections"),
    body=(
        "Most of what reaches readers abroad about Antaura arrives in one of two shapes: a "
        "chart of the copper price, or a photograph of a highway blocked by protesters. "
        "Neither explains much. When a coalition led by a former mineworkers' organiser won "
        "the presidency this year, against the forecasts of nearly every pollster in Yaral, "
        "we wanted to hear from someone who could set the moment inside a longer story. "
        "Julián Ccori Mendaña teaches philosophy in the capital and has spent a decade running "
        "study circles with unions and neighbourhood assemblies. Over three long video calls "
        "he took us through two centuries of silver, wool and copper, a military government "
        "that handed land to the people who worked it, a decade of shock therapy, and a boom "
        "that made the country richer without making most of its people secure. The "
        "conversation has been edited for length and clarity; the footnotes are ours.",
        Heading("A republic on a mountain"),
        q(BOARD, "When people in Antaura argue about their history, where do they start?"),
        a(
            J,
            "It depends on who is arguing. In the schoolbooks the story begins in 1826, with "
            "independence, a flag and a constitution written in Yaral by lawyers who had never "
            "been above three thousand metres. In the highland communities it begins much "
            "earlier and it does not have such a clean break. The new republic needed money, "
            "and the money came from two places: the silver of Challwamarka and a head tax "
            "paid by indigenous communities.<sup>1</sup> So for most people independence meant "
            "that the same tax was collected by a different official.",
        ),
        a(
            J,
            "That is the first thing I tell my students. The republic changed the flag over "
            "the mines. It did not change who went down into them. When silver ran thin in the "
            "1860s the landowners turned to wool, and the wool went down the railway to Puerto "
            "Calema and from there to mills in Europe. The country was organised, physically, "
            "as a slope: everything rolled from the highlands to the port.",
        ),
        q("lucia-pereyra", "And copper? Today it is almost the whole export economy."),
        a(
            J,
            "Copper arrives with the twentieth century and with a company. In 1907 the Andean "
            "Consolidated Copper Company bought the Challwamarka concession and built "
            "everything around it: the smelter, the camps, the company store that paid in "
            "tokens you could only spend there, even the hospital. The company built a "
            "hospital before the state built a school. People of my grandparents' generation "
            "still say 'the Company' as if there had only ever been one.",
        ),
        a(
            J,
            "There were strikes from the beginning. The smelter strike of 1923 ended with the "
            "army firing on a crowd at Pampa Rayo, and for decades you could not say the "
            "number of the dead in public. But there was also a new kind of person: the miner "
            "who went back to his village for the harvest, who read the union paper aloud to "
            "people who could not read, who knew both the price of copper in London and the "
            "price of a sack of potatoes in the market. That person is the hero of the "
            "twentieth century in Antaura, whether the history books like it or not.",
        ),
        Quote(
            "The company built a hospital before the state built a school.", "Julián Ccori Mendaña"
        ),
        Heading("The colonels and the land"),
        q(
            BOARD,
            "In 1971 a group of army officers took power and did things nobody expected "
            "from an army. What was that government?",
        ),
        a(
            J,
            "The government of the colonels, under Ernesto Vidaurre, is the great puzzle of our "
            "history. They nationalised Andean Consolidated within a year. They expropriated "
            "the big estates and handed them to cooperatives. They made Quechua an official "
            "language and put it on the radio. For a peasant family in the Yaral valley, that "
            "was the first time the state had arrived with something to give instead of "
            "something to take.",
        ),
        a(
            J,
            "But they gave the land and kept the microphone. The cooperatives were run by "
            "managers appointed from the capital. Peasants were told what to plant and at what "
            "price to sell it. Unions grew enormously and at the same time strikes were banned "
            "in the sectors the colonels called strategic, which was most of the ones that "
            "mattered. This is what interests me as a philosopher: emancipation and control "
            "arriving in the same truck. It is not hypocrisy, or not only. It is a whole idea "
            "of progress in which the people are the object of history and the state is its "
            "subject.",
        ),
        q("ines-varga", "Was that the high point for the unions?"),
        a(
            J,
            "In numbers, yes. The national confederation had more members in 1975 than it has "
            "had since. But membership is not the same thing as power. When the debt crisis "
            "and the oil shock arrived at the end of the decade, a more conservative general "
            "pushed Vidaurre aside, froze wages and called elections for 1980. The unions had "
            "grown up inside the state's house, and when the state changed the locks they "
            "found themselves on the street.",
        ),
        Heading("Debt, war and the shock"),
        q(
            BOARD,
            "The 1980s are remembered across the region as the lost decade. How did they "
            "look in Antaura?",
        ),
        a(
            J,
            "Worse than lost. There were three things at once. There was the debt: every "
            "government spent the decade negotiating with creditors and cutting what it could. "
            "There was inflation, which by 1990 was above seven thousand percent a year.<sup>2</sup> "
            "And there was a war. An armed group calling itself the Red Dawn rose in "
            "the southern highlands, and the army answered with a counter-insurgency that "
            "treated every village as a suspect. Most of the dead were Quechua-speaking "
            "peasants caught between the two, and most of them were killed by people who "
            "claimed to be acting in their name or for their protection.<sup>3</sup>",
        ),
        q(BOARD, "And then came the shock."),
        a(
            J,
            "In 1990 an agronomist called Rodrigo Salazar Huamán won the presidency by "
            "campaigning against austerity, and within three weeks of taking office he "
            "applied the harshest programme in the region. People still call it the night the "
            "bread tripled, because that is what happened: prices were freed overnight. Then "
            "came privatisation, including the copper company, sold back to foreign owners at "
            "a fraction of what the colonels had paid for it. In 1992 he closed Congress with "
            "the army standing behind him, and in 1994 he gave the country a new constitution "
            "that limits what the state may do in the economy and protects the mining "
            "contracts signed under it.",
        ),
        a(
            J,
            "The deepest change was not in the law, though. It was in work. The factory job "
            "and the cooperative were replaced by the market stall, the minibus and the phone "
            "card sold on a street corner. Today seven in ten people who work in Antaura have "
            "no contract, no pension and no union. Their politics is not easy to read from "
            "the capital, because it does not happen in the places where the capital looks "
            "for politics.",
        ),
        Heading("A boom without security"),
        q(
            "daniel-achterberg",
            "From 2003 to 2013 Antaura grew faster than almost any country "
            "in the region. Was that not a success?",
        ),
        a(
            J,
            "The growth was real. So was the fall in poverty, measured the way the ministry "
            "measures it. I will not pretend otherwise, because people felt it: a new roof, a "
            "child at university, a motorbike. But look at what the growth stood on. One "
            "price, which nobody in Antaura sets. A tax take among the lowest in the "
            "continent, because the contracts from the nineties fixed the royalties. And "
            "water. Every new open pit needs water in a country where the glaciers are "
            "shrinking. At Qoripampa in 2011 a valley refused to give up its river for a mine, "
            "and five people were shot on the road to the provincial capital.",
        ),
        a(
            J,
            "So yes, a success, if you measure a country like a company. If you ask whether a "
            "family in Challwamarka was safer in 2013 than in 2003, the answer is that it was "
            "richer and exactly as exposed.",
        ),
        Quote(
            "A family in Challwamarka was richer in 2013 than in 2003, and exactly as exposed.",
            "Julián Ccori Mendaña",
        ),
        q(BOARD, "You teach philosophy. What does philosophy have to do with any of this?"),
        a(
            J,
            "Everything, I hope, or I should change jobs. Our elites imported the idea of "
            "progress as a timetable: the coast is on time and the highlands are late, and "
            "the job of the state is to make the late people hurry. Once you see history that "
            "way, anything done to the highlands can be justified as help. The same railway "
            "brought the school and the police post.",
        ),
        a(
            J,
            "In the study circles we read the classic texts of the Enlightenment with miners "
            "and market traders. When we read Kant saying that people remain immature because "
            "it is comfortable to have guardians, a woman who sells vegetables in the Yaral "
            "central market laughed and said that nobody had ever asked her whether she "
            "wanted a guardian; they had simply sent one. That is better philosophy than many "
            "of the papers I have to referee. My work is to take that laugh seriously.",
        ),
        Heading("What the new government can do"),
        q(BOARD, "Which brings us to this year. Who voted for Ana Lucía Mamani, and why?"),
        a(
            J,
            "Mamani led the Challwamarka mineworkers' union for six years before she went "
            "into politics, and her coalition, the Common Front, is a patchwork of unions, "
            "peasant federations, teachers and neighbourhood organisations from the edges of "
            "Yaral. She won the south by enormous margins and the poor districts of the "
            "capital by enough. She lost the coast. If you put the electoral map next to a "
            "map of the land reform of the 1970s, they are almost the same drawing.",
        ),
        a(
            J,
            "As for why: people voted for two things. A new constitution, because the one from "
            "1994 is experienced as a lock on the door. And water, because in the south every "
            "political question eventually becomes a question about water.",
        ),
        q(
            "lucia-pereyra",
            "Congress is already talking about removing her. How real is that threat?",
        ),
        a(
            J,
            "Very real. Our constitution lets Congress remove a president for 'permanent moral "
            "incapacity', a phrase nobody has ever defined, and three presidents have been "
            "removed that way in the last decade. The Common Front holds 41 of the 130 seats."
            "<sup>4</sup> The government will not survive by arithmetic. If it survives, it "
            "will be because the organisations that elected it stay organised: the unions, "
            "the community patrols, the market associations, the assemblies. The danger is "
            "that everybody goes home after the victory party, as they did in the 1970s, and "
            "waits for the state to deliver.",
        ),
        q(BOARD, "What should readers outside Antaura understand, and what can they do?"),
        a(
            J,
            "First, that they are not outside. The copper in the wires of their houses and the "
            "batteries of their cars very probably passed through Challwamarka. What happens "
            "to the royalties and the water there is not a local matter; it is part of the "
            "price of their electricity. Second, to be suspicious of one word. When the "
            "financial press says that Antaura is entering a period of instability, it "
            "usually means that someone in Antaura has asked for a fairer price.",
        ),
        a(
            J,
            "And practically: listen to people here directly. Follow the unions and the "
            "community radios, translate them, invite them to speak. Do not romanticise us, "
            "either. We do not need anyone to save us. We need people not to believe the first "
            "story they are told about us.",
        ),
        q(BOARD, "Last question. Are you hopeful?"),
        a(
            J,
            "I teach eighteen-year-olds, so hope is in my contract. But more than hopeful I am "
            "curious. For the first time in my life, the people who appear in our history "
            "books only as background, carrying the ore, planting the potatoes, selling in the "
            "market, are arguing about the constitution out loud, in the places where they "
            "work. Whatever happens to this government, that argument will be very hard to "
            "put back in the box.",
        ),
        Notes(
            (
                "The head tax on indigenous communities was abolished in 1854, but unpaid labour "
                "on public works was demanded from highland villages well into the twentieth "
                "century.",
                "Central Bank of Antaura, annual consumer price series. The peak was reached in "
                "August 1990.",
                "The Truth and Reconciliation Commission published its final report in 2003. It "
                "found that three in four victims spoke Quechua as their first language.",
                "Seats in the Congress elected this year. Removing a president requires 87 of the "
                "130 votes.",
            )
        ),
    ),
)

ES = Version(
    slug="la-altura-del-poder",
    title="La altura del poder: Julián Ccori Mendaña sobre el largo siglo de Antaura",
    standfirst=(
        "Antaura tiene un gobierno nuevo, un Congreso hostil y una economía hecha para "
        "embarcar cobre. Nuestro consejo editorial le preguntó a un profesor de filosofía de "
        "Yaral cómo llegó su país hasta aquí y qué esperan sus trabajadores de lo que viene."
    ),
    topics=("Antaura", "historia", "filosofía", "minería", "elecciones"),
    body=(
        "Casi todo lo que llega de Antaura a los lectores de fuera tiene una de dos formas: "
        "un gráfico del precio del cobre o la foto de una carretera bloqueada. Ninguna de las "
        "dos explica gran cosa. Cuando una coalición encabezada por una antigua dirigente "
        "minera ganó la presidencia este año, contra el pronóstico de casi todas las "
        "encuestadoras de Yaral, quisimos escuchar a alguien capaz de poner el momento dentro "
        "de una historia más larga. Julián Ccori Mendaña enseña filosofía en la capital y lleva "
        "una década coordinando círculos de estudio con sindicatos y asambleas vecinales. En "
        "tres largas videollamadas nos llevó por dos siglos de plata, lana y cobre, un "
        "gobierno militar que entregó la tierra a quienes la trabajaban, una década de shock y "
        "un auge que hizo más rico al país sin dar seguridad a la mayoría de su gente. La "
        "conversación ha sido editada por extensión y claridad; las notas son nuestras.",
        Heading("Una república en la montaña"),
        q(BOARD, "Cuando en Antaura se discute la historia, ¿por dónde se empieza?"),
        a(
            J,
            "Depende de quién discuta. En los libros escolares la historia empieza en 1826, "
            "con la independencia, una bandera y una constitución redactada en Yaral por "
            "abogados que nunca habían subido por encima de los tres mil metros. En las "
            "comunidades de la sierra empieza mucho antes y no tiene un corte tan limpio. La "
            "república nueva necesitaba dinero, y el dinero salió de dos lugares: la plata de "
            "Challwamarka y un tributo por cabeza que pagaban las comunidades indígenas."
            "<sup>1</sup> Para la mayoría, la independencia significó que el mismo tributo lo cobraba "
            "otro funcionario.",
        ),
        a(
            J,
            "Eso es lo primero que les digo a mis estudiantes. La república cambió la bandera "
            "sobre las minas, pero no cambió a quién bajaba a ellas. Cuando la plata se agotó, "
            "en la década de 1860, los hacendados se pasaron a la lana, y la lana bajaba en tren "
            "hasta Puerto Calema y de allí a las hilanderías de Europa. El país estaba "
            "organizado, físicamente, como una pendiente: todo rodaba de la sierra al puerto.",
        ),
        q("lucia-pereyra", "¿Y el cobre? Hoy es casi toda la economía exportadora."),
        a(
            J,
            "El cobre llega con el siglo XX y con una empresa. En 1907 la Andean Consolidated "
            "Copper Company compró la concesión de Challwamarka y construyó todo a su "
            "alrededor: la fundición, los campamentos, la tienda de raya que pagaba en fichas "
            "que solo se podían gastar allí, hasta el hospital. La empresa construyó un "
            "hospital antes de que el Estado construyera una escuela. La gente de la "
            "generación de mis abuelos todavía dice «la Compañía», como si solo hubiera "
            "existido una.",
        ),
        a(
            J,
            "Hubo huelgas desde el principio. La huelga de la fundición de 1923 terminó con el "
            "ejército disparando contra la multitud en Pampa Rayo, y durante décadas no se "
            "pudo decir en público el número de muertos. Pero también apareció un personaje "
            "nuevo: el minero que volvía a su pueblo para la cosecha, que leía en voz alta el "
            "periódico del sindicato a quienes no sabían leer, que conocía el precio del "
            "cobre en Londres y el de un saco de papas en el mercado. Ese personaje es el "
            "protagonista del siglo XX en Antaura, les guste o no a los libros de historia.",
        ),
        Quote(
            "La empresa construyó un hospital antes de que el Estado construyera una escuela.",
            "Julián Ccori Mendaña",
        ),
        Heading("Los coroneles y la tierra"),
        q(
            BOARD,
            "En 1971 un grupo de oficiales tomó el poder e hizo cosas que nadie esperaba "
            "de un ejército. ¿Qué fue ese gobierno?",
        ),
        a(
            J,
            "El gobierno de los coroneles, con Ernesto Vidaurre a la cabeza, es el gran enigma "
            "de nuestra historia. Nacionalizaron la Andean Consolidated en menos de un año. "
            "Expropiaron los latifundios y los entregaron a cooperativas. Hicieron del quechua "
            "una lengua oficial y lo pusieron en la radio. Para una familia campesina del valle "
            "de Yaral, fue la primera vez que el Estado llegaba con algo para dar en lugar de "
            "algo que quitar.",
        ),
        a(
            J,
            "Pero dieron la tierra y se quedaron con el micrófono. Las cooperativas las "
            "dirigían gerentes nombrados desde la capital. A los campesinos se les decía qué "
            "sembrar y a qué precio vender. Los sindicatos crecieron muchísimo y, al mismo "
            "tiempo, se prohibieron las huelgas en los sectores que los coroneles llamaban "
            "estratégicos, que eran casi todos los que importaban. Eso es lo que me interesa "
            "como filósofo: la emancipación y el control llegando en el mismo camión. No es "
            "hipocresía, o no solo. Es toda una idea del progreso en la que el pueblo es el "
            "objeto de la historia y el Estado su sujeto.",
        ),
        q("ines-varga", "¿Fue ese el mejor momento de los sindicatos?"),
        a(
            J,
            "En número, sí. La confederación nacional tenía en 1975 más afiliados de los que "
            "ha tenido nunca después. Pero afiliación no es lo mismo que poder. Cuando "
            "llegaron la crisis de la deuda y el golpe del petróleo a finales de la década, un "
            "general más conservador desplazó a Vidaurre, congeló los salarios y convocó "
            "elecciones para 1980. Los sindicatos habían crecido dentro de la casa del Estado, "
            "y cuando el Estado cambió la cerradura se encontraron en la calle.",
        ),
        Heading("Deuda, guerra y shock"),
        q(
            BOARD,
            "En toda la región los ochenta se recuerdan como la década perdida. ¿Cómo "
            "fueron en Antaura?",
        ),
        a(
            J,
            "Peor que perdida. Pasaron tres cosas a la vez. Estaba la deuda: todos los "
            "gobiernos se pasaron la década negociando con los acreedores y recortando lo que "
            "podían. Estaba la inflación, que en 1990 superaba el siete mil por ciento "
            "anual.<sup>2</sup> Y había una guerra. Un grupo armado que se llamaba a sí mismo "
            "Alba Roja se alzó en la sierra sur, y el ejército respondió con una "
            "contrainsurgencia que trató a cada pueblo como sospechoso. La mayoría de los "
            "muertos fueron campesinos quechuahablantes atrapados entre los dos, y a la "
            "mayoría los mataron quienes decían actuar en su nombre o para protegerlos."
            "<sup>3</sup>",
        ),
        q(BOARD, "Y después llegó el shock."),
        a(
            J,
            "En 1990 un agrónomo llamado Rodrigo Salazar Huamán ganó la presidencia con una "
            "campaña contra el ajuste, y a las tres semanas de asumir aplicó el programa más "
            "duro de la región. La gente todavía lo llama la noche en que el pan se triplicó, "
            "porque eso fue lo que pasó: los precios se liberaron de un día para otro. Después "
            "vino la privatización, incluida la empresa del cobre, vendida otra vez a dueños "
            "extranjeros por una fracción de lo que habían pagado los coroneles. En 1992 "
            "cerró el Congreso con el ejército detrás, y en 1994 le dio al país una nueva "
            "constitución que limita lo que el Estado puede hacer en la economía y protege los "
            "contratos mineros firmados bajo ella.",
        ),
        a(
            J,
            "Pero el cambio más profundo no estuvo en la ley, sino en el trabajo. El empleo de "
            "fábrica y la cooperativa fueron reemplazados por el puesto de mercado, la combi y "
            "la tarjeta telefónica vendida en una esquina. Hoy siete de cada diez personas que "
            "trabajan en Antaura no tienen contrato, ni pensión, ni sindicato. Su política no "
            "es fácil de leer desde la capital, porque no ocurre en los lugares donde la "
            "capital busca la política.",
        ),
        Heading("Un auge sin seguridad"),
        q(
            "daniel-achterberg",
            "Entre 2003 y 2013 Antaura creció más rápido que casi cualquier "
            "país de la región. ¿No fue un éxito?",
        ),
        a(
            J,
            "El crecimiento fue real. También la caída de la pobreza, medida como la mide el "
            "ministerio. No voy a fingir lo contrario, porque la gente lo sintió: un techo "
            "nuevo, un hijo en la universidad, una moto. Pero mire sobre qué se apoyaba ese "
            "crecimiento. Un precio que nadie en Antaura fija. Una recaudación de las más "
            "bajas del continente, porque los contratos de los noventa congelaron las regalías. "
            "Y el agua. Cada tajo abierto nuevo necesita agua en un país donde los glaciares "
            "retroceden. En Qoripampa, en 2011, un valle se negó a entregar su río a una mina, "
            "y cinco personas murieron baleadas en la carretera a la capital de provincia.",
        ),
        a(
            J,
            "Así que sí, un éxito, si se mide a un país como a una empresa. Si uno pregunta si "
            "una familia de Challwamarka estaba más segura en 2013 que en 2003, la respuesta "
            "es que era más rica e igual de expuesta.",
        ),
        Quote(
            "Una familia de Challwamarka era más rica en 2013 que en 2003, e igual de expuesta.",
            "Julián Ccori Mendaña",
        ),
        q(BOARD, "Usted enseña filosofía. ¿Qué tiene que ver la filosofía con todo esto?"),
        a(
            J,
            "Todo, espero, o tendría que cambiar de oficio. Nuestras élites importaron la idea "
            "del progreso como un horario: la costa va a tiempo y la sierra va tarde, y el "
            "trabajo del Estado es apurar a los que llegan tarde. Cuando uno ve la historia así, "
            "cualquier cosa que se le haga a la sierra puede justificarse como ayuda. El mismo "
            "tren trajo la escuela y el puesto de policía.",
        ),
        a(
            J,
            "En los círculos de estudio leemos los textos clásicos de la Ilustración con "
            "mineros y comerciantes. Cuando leímos a Kant diciendo que la gente sigue siendo "
            "menor de edad porque es cómodo tener tutores, una señora que vende verduras en el "
            "mercado central de Yaral se rió y dijo que a ella nadie le había preguntado si "
            "quería un tutor: simplemente se lo habían mandado. Eso es mejor filosofía que "
            "muchos de los artículos que me toca evaluar. Mi trabajo es tomarme en serio esa "
            "risa.",
        ),
        Heading("Lo que puede hacer el nuevo gobierno"),
        q(BOARD, "Lo que nos lleva a este año. ¿Quién votó por Ana Lucía Mamani, y por qué?"),
        a(
            J,
            "Mamani dirigió el sindicato minero de Challwamarka durante seis años antes de "
            "entrar en política, y su coalición, el Frente Común, es un tejido de sindicatos, "
            "federaciones campesinas, maestros y organizaciones vecinales de los bordes de "
            "Yaral. Ganó el sur por márgenes enormes y los distritos pobres de la capital por "
            "lo suficiente. Perdió la costa. Si uno pone el mapa electoral al lado de un mapa de "
            "la reforma agraria de los setenta, son casi el mismo dibujo.",
        ),
        a(
            J,
            "En cuanto al porqué: la gente votó por dos cosas. Una nueva constitución, porque "
            "la de 1994 se vive como un candado en la puerta. Y el agua, porque en el sur toda "
            "pregunta política termina siendo una pregunta sobre el agua.",
        ),
        q(
            "lucia-pereyra",
            "En el Congreso ya se habla de destituirla. ¿Qué tan real es esa amenaza?",
        ),
        a(
            J,
            "Muy real. Nuestra constitución permite al Congreso destituir a un presidente por "
            "«incapacidad moral permanente», una frase que nadie ha definido nunca, y en la "
            "última década tres presidentes han caído así. El Frente Común tiene 41 de los 130 "
            "escaños.<sup>4</sup> El gobierno no va a sobrevivir por aritmética. Si sobrevive, "
            "será porque las organizaciones que lo eligieron sigan organizadas: los sindicatos, "
            "las rondas, las asociaciones de mercado, las asambleas. El peligro es que todo el "
            "mundo se vaya a casa después de la fiesta de la victoria, como en los setenta, y "
            "se quede esperando a que el Estado cumpla.",
        ),
        q(BOARD, "¿Qué deberían entender los lectores de fuera de Antaura, y qué pueden hacer?"),
        a(
            J,
            "Primero, que no están fuera. El cobre de los cables de sus casas y de las "
            "baterías de sus coches muy probablemente pasó por Challwamarka. Lo que pasa allí "
            "con las regalías y con el agua no es un asunto local: es parte del precio de su "
            "electricidad. Segundo, que desconfíen de una palabra. Cuando la prensa financiera "
            "dice que Antaura entra en un periodo de inestabilidad, casi siempre significa que "
            "alguien en Antaura ha pedido un precio más justo.",
        ),
        a(
            J,
            "Y en lo práctico: que nos escuchen directamente. Que sigan a los sindicatos y a "
            "las radios comunitarias, que los traduzcan, que los inviten a hablar. Y que "
            "tampoco nos idealicen. No necesitamos que nadie nos salve. Necesitamos que la "
            "gente no se crea la primera historia que le cuentan sobre nosotros.",
        ),
        q(BOARD, "Última pregunta. ¿Tiene esperanza?"),
        a(
            J,
            "Doy clase a chicos de dieciocho años, así que la esperanza viene en el contrato. "
            "Pero más que esperanzado estoy curioso. Por primera vez en mi vida, la gente que "
            "en nuestros libros de historia aparece solo como fondo, cargando el mineral, "
            "sembrando las papas, vendiendo en el mercado, está discutiendo la constitución en "
            "voz alta, en los lugares donde trabaja. Pase lo que pase con este gobierno, esa "
            "discusión va a ser muy difícil de volver a meter en la caja.",
        ),
        Notes(
            (
                "El tributo indígena se abolió en 1854, pero a los pueblos de la sierra se les "
                "siguió exigiendo trabajo gratuito en obras públicas hasta bien entrado el siglo "
                "XX.",
                "Banco Central de Antaura, serie anual de precios al consumidor. El máximo se "
                "alcanzó en agosto de 1990.",
                "La Comisión de la Verdad y Reconciliación publicó su informe final en 2003. "
                "Encontró que tres de cada cuatro víctimas tenían el quechua como lengua materna.",
                "Escaños del Congreso elegido este año. Destituir a un presidente requiere 87 de "
                "los 130 votos.",
            )
        ),
    ),
)

FLAGSHIP = Piece(
    section="interviews",
    kind="interview",
    authors=(BOARD,),
    subjects=(INTERVIEWEE,),
    days_ago=2.3,
    en=EN,
    es=ES,
    caption="Artwork made for this interview.",
    es_caption="Ilustración hecha para esta entrevista.",
)
