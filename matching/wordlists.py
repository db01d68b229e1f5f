"""Word lists behind the normaliser: cities, abbreviations, trade words, spelling families.

Kept apart from the rules so that a reviewer can extend a list without reading the code
that uses it. Every entry is lowercase ASCII; multi-word entries are space separated.
"""

from __future__ import annotations

# Indian cities and towns commonly written after a trade name ("Rao Textiles, Pune").
# Old and new names are both listed; `CITY_ALIASES` maps them to one spelling.
# Deliberately absent: cities that are also ordinary name words (Sagar, Mandi, Mau, Durg,
# Bally, Kota, Deoghar, Ambala is kept because it is rarely a name word).
CITIES: frozenset[str] = frozenset(
    """
    agartala agra ahmedabad ahmednagar aizawl ajmer akola aligarh allahabad alappuzha alleppey
    alwar ambala amravati amritsar anand anantapur asansol aurangabad baddi bangalore bareilly
    baroda bathinda belgaum belagavi bellary ballari bengaluru berhampur bhagalpur bharuch
    bhavnagar bhilai bhilwara bhiwandi bhiwadi bhopal bhubaneswar bhubaneshwar bhuj bikaner
    bilaspur bokaro bombay calcutta calicut chandigarh chennai cochin coimbatore cuttack
    darbhanga davangere davanagere dehradun delhi dhanbad dharwad dhule dibrugarh dindigul
    durgapur eluru erode faridabad firozabad gandhidham gandhinagar gaya ghaziabad gorakhpur
    gulbarga kalaburagi guntur gurgaon gurugram guwahati gwalior haldia haridwar hisar hosur
    howrah hubli hubballi hyderabad ichalkaranji imphal indore jabalpur jaipur jalandhar
    jalgaon jammu jamnagar jamshedpur jhansi jodhpur junagadh kakinada kanpur karimnagar
    karnal kishangarh kochi kolhapur kolkata kollam kozhikode kurnool latur lucknow ludhiana
    madras madurai malappuram mangalore mangaluru mathura meerut mohali moradabad morbi mumbai
    muzaffarnagar muzaffarpur mysore mysuru nadiad nagpur nanded nashik nasik nellore noida
    palakkad panipat panaji patiala patna pollachi pondicherry puducherry pune poona raipur
    rajahmundry rajkot ranchi ratlam rewa rohtak rourkela saharanpur salem sambalpur sangli
    satara secunderabad shillong shimla siliguri silvassa sivakasi solapur sonipat srinagar
    surat thane thanjavur thiruvananthapuram thrissur trichur tiruchirappalli trichy
    tirunelveli tirupati tiruppur tirupur trivandrum tumkur tumakuru udaipur udupi ujjain
    vadodara valsad vapi varanasi benares vellore vijayawada visakhapatnam vizag warangal
    yamunanagar
    """.split()
) | frozenset(
    {
        "new delhi",
        "navi mumbai",
        "greater noida",
        "greater mumbai",
    }
)

# Old or variant city names mapped to the spelling used in the directory.
CITY_ALIASES: dict[str, str] = {
    "bangalore": "bengaluru",
    "bombay": "mumbai",
    "calcutta": "kolkata",
    "madras": "chennai",
    "gurgaon": "gurugram",
    "mysore": "mysuru",
    "mangalore": "mangaluru",
    "hubli": "hubballi",
    "trivandrum": "thiruvananthapuram",
    "cochin": "kochi",
    "baroda": "vadodara",
    "poona": "pune",
    "calicut": "kozhikode",
    "benares": "varanasi",
    "trichur": "thrissur",
    "trichy": "tiruchirappalli",
    "tirupur": "tiruppur",
    "belgaum": "belagavi",
    "bellary": "ballari",
    "gulbarga": "kalaburagi",
    "tumkur": "tumakuru",
    "nasik": "nashik",
    "vizag": "visakhapatnam",
    "pondicherry": "puducherry",
    "bhubaneshwar": "bhubaneswar",
    "alleppey": "alappuzha",
    "davangere": "davanagere",
    "allahabad": "prayagraj",
}

# Written abbreviations of trade words, expanded before matching ("Engg." = Engineering).
ABBREVIATIONS: dict[str, str] = {
    "engg": "engineering",
    "engrs": "engineers",
    "ent": "enterprises",
    "ents": "enterprises",
    "entp": "enterprises",
    "entps": "enterprises",
    "enterprizes": "enterprises",
    "enterprize": "enterprises",
    "inds": "industries",
    "indl": "industrial",
    "corp": "corporation",
    "corpn": "corporation",
    "mfg": "manufacturing",
    "mfrs": "manufacturers",
    "mktg": "marketing",
    "mkt": "market",
    "intl": "international",
    "natl": "national",
    "genl": "general",
    "agy": "agency",
    "agcy": "agency",
    "trdg": "trading",
    "tpt": "transport",
    "trpt": "transport",
    "constn": "construction",
    "bldrs": "builders",
    "co": "company",
    "coy": "company",
    "bros": "brothers",
    "assoc": "associates",
    "assocs": "associates",
    "asso": "associates",
    "stn": "station",
    "govt": "government",
    "ind": "industries",
    "indust": "industries",
    "pkg": "packaging",
    "pkgs": "packaging",
    "plast": "plastics",
    "const": "constructions",
    "constrn": "constructions",
    "dist": "distributors",
    "distr": "distributors",
    "distrs": "distributors",
    "distbr": "distributors",
    "distbrs": "distributors",
    "distribs": "distributors",
    "trdrs": "traders",
    "tdrs": "traders",
    "trdr": "traders",
    "chem": "chemicals",
    "chems": "chemicals",
    "jwlrs": "jewellers",
    "jwlr": "jewellers",
    "prods": "products",
    "svcs": "services",
    "servs": "services",
    "elex": "electronics",
    "wks": "works",
}

# Written with a slash, these stand for one trade word ("Mittal H/W", "Gupta Elect/Elex").
SLASH_ABBREVIATIONS: dict[str, str] = {
    "h/w": "hardware",
}

# Phrases that name the same trade in two ways; the left side is replaced by the right one
# (compared after phonetic folding, so "Vastra Bhandaar" is caught too).
# The longer form is the target, so a typo in one of its words still leaves the other.
PHRASE_SYNONYMS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("vastralaya",): ("vastra", "bhandar"),
    ("kapda", "bhandar"): ("vastra", "bhandar"),
    ("cloth", "store"): ("vastra", "bhandar"),
    ("kirana", "bhandar"): ("kirana", "store"),
    ("general", "store"): ("kirana", "store"),
    ("grocery",): ("kirana",),
    ("grocers",): ("kirana", "store"),
    ("cloth", "house"): ("vastra", "bhandar"),
    ("kapda", "house"): ("vastra", "bhandar"),
    ("masala",): ("spices",),
    ("masale",): ("spices",),
    ("chawal",): ("rice",),
}

# Spelling families that the phonetic folding alone does not join (compared after folding:
# the key is the folded variant, the value the folded canonical form's source word).
SPELLING_FAMILIES: dict[str, str] = {
    "luxmi": "laxmi",
    "lakhsmi": "laxmi",
    "mahaluxmi": "mahalaxmi",
    "agrawal": "agarwal",
    "agrwal": "agarwal",
    "goel": "goyal",
    "choudhary": "chaudhary",
    "chowdhury": "chaudhary",
    "chaudhry": "chaudhary",
    "choudhry": "chaudhary",
    "chaudhari": "chaudhary",
    "shre": "shree",
    "shrri": "shree",
    "shreemati": "shrimati",
    "smt": "shrimati",
    "aiyar": "iyer",
    "ayyar": "iyer",
    "nayar": "nair",
    "ganapati": "ganpati",
    "ganapathy": "ganpati",
    "bajarang": "bajrang",
    "hanumaan": "hanuman",
    "ambey": "ambe",
    "ambay": "ambe",
    "jagadamba": "jagdamba",
    "mookerjee": "mukherjee",
    "mukharjee": "mukherjee",
    "chatterji": "chatterjee",
    "chaterjee": "chatterjee",
    "venkateshwara": "venkateswara",
    "venkatesvara": "venkateswara",
    "subramaniam": "subramanian",
    "sidhi": "siddhi",
    "vinayaka": "vinayak",
    "krushna": "krishna",
    "krishan": "krishna",
    "kisan": "kishan",
    "aum": "om",
    "muruga": "murugan",
    "exporter": "export",
    "importer": "import",
    "trading": "traders",
    "tradres": "traders",
    "jewelers": "jewellers",
    "jewellery": "jewellers",
    "jewelry": "jewellers",
}

# Honorifics and connectors that carry no identity on their own.
CONNECTORS: frozenset[str] = frozenset({"and", "the", "of"})
DROPPED_WORDS: frozenset[str] = frozenset({"messrs", "messers", "regd", "registered"})
# Trailing words that only say where a business belongs ("Sethi Timber Mart (India)"):
# dropped at the end of a name of two words or more, kept where they start one.
COUNTRY_WORDS: frozenset[str] = frozenset({"india"})

# Generic trade words and auspicious prefixes: thousands of businesses share each one, so
# they are weak evidence of identity and never a stand-alone blocking key.
COMMON_WORDS: frozenset[str] = frozenset(
    """
    shree shri sri sree jai jay om maa new sai
    agency agencies associates auto builders brothers cement ceramics chemicals company
    constructions construction corporation dairy distributors electricals electronics
    engineering enterprises exports export fabrics fasteners foods forgings garments general
    glass granites hardware hosiery house impex imports industries industry infra
    international jewellers kirana logistics marbles mart mill mills motors oil overseas
    packaging paints paper parts pharma pipes plastics polymers products projects rice
    roadlines sales sanitary sarees services solutions spices steel steels store stores
    suppliers textiles tiles timber traders trading transport vastralaya ware works yarns
    dal bhandar vastra global star prime india
    """.split()
)

# Trade and legal words that people run into the word before ("Goyalricemill",
# "Balajitraders", "Sharmapvtltd"): a token ending in one is split there. Descriptive words
# that also start names (Global, Star, Prime, India) and auspicious words are left out.
_NOT_SUFFIXES = frozenset({"global", "star", "prime", "india", "shree", "shri", "sree"})
RUN_TOGETHER_SUFFIXES: frozenset[str] = frozenset(
    w for w in COMMON_WORDS if len(w) >= 4 and w not in _NOT_SUFFIXES
) | frozenset(
    """
    castings casting mill pvtltd privatelimited limited ltd llp private pvt brothers
    associates company traders trader enterprise industry suppliers sales services
    """.split()
)

# Auspicious words that people run into the name after them ("Shreesiddhivinayak",
# "Jaimatadi"); split off when at least five letters follow (Jaiswal stays whole).
RUN_TOGETHER_PREFIXES: tuple[str, ...] = ("shree", "shri", "sree", "sri", "jai")
