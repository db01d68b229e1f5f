"""Synthetic Indian businesses for scale benchmarks (reproducible from a seed).

Names are built the way trade names are: an optional auspicious prefix, a deity, family,
place or brand word (or initials), sometimes a second word, a trade, and a legal form, with
skewed word frequencies so that common words are common. Identifiers are valid: a PAN
whose 4th letter matches the legal form, and a GSTIN with stdnum's check character.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from matching.kinds import gstin_check_character

PREFIXES = "Shree Shri Sri Jai Om Maa Sai New Jay Shiv Sree".split()
DEITIES = """Ganesh Balaji Laxmi Mahalaxmi Durga Ambe Krishna Hanuman Bajrang Shyam Ram Gayatri
Saraswati Umiya Khodiyar Jagdamba Vaishno Murugan Ayyappa Venkateswara Tirupati Annapurna
Vinayak Radhe Shakti Kripa Hari Narayan Gopal Mahavir Parshwa Sainath Chamunda Kuldevi
Bhavani Renuka Meenakshi Kamakshi Padmavati Jagannath Vishwakarma Mahakal Kashi Dwarka
Tulsi Ganga Yamuna Kaveri Narmada Godavari""".split()
FAMILIES = """Agarwal Gupta Jain Shah Patel Mehta Bansal Goyal Mittal Singhal Khandelwal
Maheshwari Oswal Jhunjhunwala Poddar Saraf Sethi Arora Khanna Kapoor Malhotra Chopra Bhatia
Ahuja Verma Sharma Mishra Tiwari Pandey Dubey Yadav Singh Chauhan Rathore Thakur Reddy Naidu
Rao Iyer Nair Pillai Menon Shetty Hegde Kamath Pai Patil Deshmukh Kulkarni Joshi Desai Chokshi
Thakkar Modi Parekh Banerjee Mukherjee Chatterjee Ghosh Das Bose Sen Dutta Roy Chettiar
Mudaliar Gounder Nadar Tulsiani Lodha Kothari Bafna Surana Garg Jindal Aggarwal Saxena
Srivastava Tripathi Dwivedi Shukla Trivedi Bhatt Vyas Dave Pandya Soni Rastogi Kohli Sood Grover
Bajaj Talwar Sodhi Gill Sandhu Grewal Bhalla Chawla Khurana Narang Luthra Mahajan Goel
Kedia Rungta Dalmia Bagri Birla Somani Ladha Rathi Daga Chandak Mundra Toshniwal Malpani Bang
Karwa Bhutada Lahoti Jaju Kabra Inani Baheti Asawa Zaveri Doshi Sanghvi Vora Gandhi Bhandari
Kalra Anand Chadha Sachdeva Wadhwa Dhingra Madan Nanda Puri Sabharwal Tandon Bedi Chhabra
Hora Sahni Sikka Uppal Vij Kakkar Handa Sehgal Mehra Khosla Mathur Nigam Bhargava""".split()
PLACES = """Bharat Hindustan Deccan Malabar Konkan Marwar Mewar Saurashtra Kalinga Awadh Sindh
Punjab Bengal Himalaya Nilgiri Vindhya Aravali Sahyadri Kutch Bundelkhand Doaba Magadh Vidarbha
Star Prime Galaxy Supreme Classic Royal Perfect Unique Global National Modern Excel Pioneer
Vertex Zenith Orbit Matrix Spectrum Pinnacle Trident Phoenix Alpha Omega Everest Sunrise
Crystal Diamond Golden Silver Lotus Apex Summit Metro Capital Frontier Shakti Pragati Vikas
Unity Kirti Yash Jyoti Deepak Ujala Navrang Saffron Emerald Sapphire Ruby Pearl Coral Sterling
Elite Premier Paramount Majestic Imperial Regal Victory Triveni Sangam Suraj Chandra Tara
Akash Prakash Ananya Aditya Arihant Mangalam Shubham Swastik Kalash Navkar Samrat Vijay""".split()
TRADES = """Traders|Enterprises|Industries|Steels|Textiles|Kirana Stores|Vastra Bhandar|Jewellers|
Hardware|Electricals|Pharma|Agencies|Exports|Impex|Logistics|Roadlines|Transport Co|Builders|
Constructions|Infra Projects|Dal Mill|Rice Mill|Oil Mills|Paper Mills|Engineering Works|
Steel Works|Auto Parts|Sanitary Ware|Glass House|Timber Mart|Cement Agency|Paints|Plastics|
Polymers|Chemicals|Fasteners|Forgings|Castings|Tiles|Marbles|Granites|Ceramics|Garments|
Fabrics|Sarees|Yarns|Hosiery|Foods|Spices|Dairy|Motors|Electronics|Packaging|Distributors|
Trading Company|Medical Stores|Furniture|Opticals|Printers|Tyres|Pipes|Cables|Batteries|
Fertilisers|Seeds|Agro Industries|Cold Storage|Flour Mill|Cotton Mills|Ginning Factory|
Handloom|Sweets|Bakers|Caterers|Refrigeration|Pumps|Bearings|Tools|Machinery|Steel Traders|
Cloth Merchants|Grain Merchants|Commission Agents|Sales Corporation|Marketing|Solutions|
Healthcare|Surgicals|Diagnostics|Book Depot|Stationers|Gift House|Footwear|Leather Works|
Rubber Products|Metal Industries|Wire Products|Aluminium|Brass Works|Copper Works""".replace(
    "\n", ""
).split("|")
LEGAL = [
    (None, 27),
    ("Private Limited", 19),
    ("Limited", 9),
    ("LLP", 9),
    ("Brothers", 9),
    ("& Co", 9),
    ("& Associates", 9),
    ("& Sons", 9),
]
CITIES = [
    ("Delhi", "07"),
    ("New Delhi", "07"),
    ("Mumbai", "27"),
    ("Pune", "27"),
    ("Nagpur", "27"),
    ("Nashik", "27"),
    ("Aurangabad", "27"),
    ("Bhiwandi", "27"),
    ("Ahmedabad", "24"),
    ("Surat", "24"),
    ("Vadodara", "24"),
    ("Rajkot", "24"),
    ("Morbi", "24"),
    ("Jaipur", "08"),
    ("Jodhpur", "08"),
    ("Udaipur", "08"),
    ("Bhilwara", "08"),
    ("Kishangarh", "08"),
    ("Kolkata", "19"),
    ("Howrah", "19"),
    ("Siliguri", "19"),
    ("Durgapur", "19"),
    ("Chennai", "33"),
    ("Coimbatore", "33"),
    ("Madurai", "33"),
    ("Salem", "33"),
    ("Tiruppur", "33"),
    ("Bengaluru", "29"),
    ("Mysuru", "29"),
    ("Mangaluru", "29"),
    ("Hubballi", "29"),
    ("Hyderabad", "36"),
    ("Secunderabad", "36"),
    ("Warangal", "36"),
    ("Lucknow", "09"),
    ("Kanpur", "09"),
    ("Agra", "09"),
    ("Varanasi", "09"),
    ("Meerut", "09"),
    ("Noida", "09"),
    ("Ludhiana", "03"),
    ("Amritsar", "03"),
    ("Jalandhar", "03"),
    ("Mohali", "03"),
    ("Faridabad", "06"),
    ("Gurugram", "06"),
    ("Panipat", "06"),
    ("Karnal", "06"),
    ("Indore", "23"),
    ("Bhopal", "23"),
    ("Gwalior", "23"),
    ("Jabalpur", "23"),
    ("Patna", "10"),
    ("Gaya", "10"),
    ("Muzaffarpur", "10"),
    ("Cuttack", "21"),
    ("Bhubaneswar", "21"),
    ("Rourkela", "21"),
    ("Kochi", "32"),
    ("Thrissur", "32"),
    ("Kozhikode", "32"),
    ("Thiruvananthapuram", "32"),
    ("Raipur", "22"),
    ("Ranchi", "20"),
    ("Guwahati", "18"),
    ("Dehradun", "05"),
    ("Leh", "38"),
]
STATES = {
    "07": "Delhi",
    "27": "Maharashtra",
    "24": "Gujarat",
    "08": "Rajasthan",
    "19": "West Bengal",
    "33": "Tamil Nadu",
    "29": "Karnataka",
    "36": "Telangana",
    "09": "Uttar Pradesh",
    "03": "Punjab",
    "06": "Haryana",
    "23": "Madhya Pradesh",
    "10": "Bihar",
    "21": "Odisha",
    "32": "Kerala",
    "22": "Chhattisgarh",
    "20": "Jharkhand",
    "18": "Assam",
    "05": "Uttarakhand",
    "38": "Ladakh",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Business:
    id: int
    name: str
    gstin: str | None
    pan: str | None
    city: str
    state: str


def _zipf_choice(rng: random.Random, words: list[str]) -> str:
    """Early words of a list are more common (weights 1/(rank+5))."""
    weights = _WEIGHTS.setdefault(len(words), [1.0 / (i + 5) for i in range(len(words))])
    return rng.choices(words, weights=weights)[0]


_WEIGHTS: dict[int, list[float]] = {}


def synthetic_name(rng: random.Random) -> tuple[str, str | None]:
    """A trade name and its legal form (None when it has none)."""
    head = rng.random()
    if head < 0.28:
        words = [_zipf_choice(rng, DEITIES)]
        if rng.random() < 0.7:
            words.insert(0, _zipf_choice(rng, PREFIXES))
    elif head < 0.6:
        words = [_zipf_choice(rng, FAMILIES)]
    elif head < 0.85:
        words = [_zipf_choice(rng, PLACES)]
    else:
        count = rng.choice((2, 2, 3))
        words = [".".join(rng.choice(LETTERS) for _ in range(count)) + "."]
    if rng.random() < 0.25:
        words.append(_zipf_choice(rng, PLACES if rng.random() < 0.6 else FAMILIES))
    words.append(_zipf_choice(rng, TRADES))
    legal = rng.choices([f for f, _ in LEGAL], weights=[w for _, w in LEGAL])[0]
    if legal:
        words.append(legal)
    return " ".join(words), legal


def _pan(rng: random.Random, name: str, legal: str | None) -> str:
    if legal in ("Private Limited", "Limited"):
        holder = "C"
    elif legal in ("LLP", "& Co", "& Associates", "Brothers", "& Sons"):
        holder = "F"
    else:
        holder = rng.choice("PPPH")
    first = next((ch for ch in name.upper() if ch.isalpha()), "A")
    digits = f"{rng.randint(1, 9999):04d}"
    return (
        "".join(rng.choice(LETTERS) for _ in range(3))
        + holder
        + first
        + digits
        + rng.choice(LETTERS)
    )


def generate(count: int, seed: int = 7, first_id: int = 100_001) -> Iterator[Business]:
    """`count` synthetic businesses with ids from `first_id`; the same seed gives the same
    businesses."""
    rng = random.Random(seed)
    for offset in range(count):
        name, legal = synthetic_name(rng)
        city, code = rng.choice(CITIES)
        pan = _pan(rng, name, legal) if rng.random() < 0.9 else None
        gstin = None
        if pan and rng.random() < 0.85:
            first14 = code + pan + "1Z"
            gstin = first14 + gstin_check_character(first14)
        yield Business(first_id + offset, name, gstin, pan, city, STATES[code])
