"""The demo programme's places: Lualaba and Haut-Katanga, DR Congo.

Provinces, territories, cities and their communes are the real administrative units. Chiefdoms,
sectors and quarters are real mining-area names where we know them (Bayeke, Kasulo, Kanina,
Mutoshi, Musompo, Kapata, Tenke, Kakanda, Kamatanda...) and plausible local inventions elsewhere;
their placement is simplified for a demo and is not a gazetteer. Coordinates are approximate
centres, good enough for a map of the programme, never a household's location.

Codes are the stable keys the seed uses to stay idempotent: never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import AreaLevel, SiteKind, SiteStatus


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str
    parent: str | None
    # Approximate centre, used to place the sites of a community.
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: str
    community: str  # an AreaSpec code
    operator_name: str = ""  # a cooperative or company that is not an organisation in Kinga
    operator: str = ""  # key of a demo organisation (see demo_people.ORGANISATIONS)
    status: str = SiteStatus.ACTIVE


A = AreaLevel
COUNTRY = "CD"


def _village(code: str, name: str, parent: str, latitude: float, longitude: float) -> AreaSpec:
    return AreaSpec(code, name, A.VILLAGE, parent, latitude, longitude)


# Parents come before their children, so the seed can create them in this order.
AREAS: tuple[AreaSpec, ...] = (
    AreaSpec(COUNTRY, "DR Congo", A.COUNTRY, None),
    # Lualaba
    AreaSpec("CD-LU", "Lualaba", A.PROVINCE, COUNTRY, -10.71, 25.47),
    AreaSpec("CD-LU-KZI", "Kolwezi", A.CITY, "CD-LU", -10.71, 25.47),
    AreaSpec("CD-LU-KZI-DIL", "Dilala", A.COMMUNE, "CD-LU-KZI", -10.70, 25.48),
    AreaSpec("CD-LU-KZI-MAN", "Manika", A.COMMUNE, "CD-LU-KZI", -10.72, 25.44),
    AreaSpec("CD-LU-DIL", "Dilolo", A.TERRITORY, "CD-LU", -10.70, 22.35),
    AreaSpec("CD-LU-KAP", "Kapanga", A.TERRITORY, "CD-LU", -8.35, 22.58),
    AreaSpec("CD-LU-LUB", "Lubudi", A.TERRITORY, "CD-LU", -9.95, 25.97),
    AreaSpec("CD-LU-LUB-BAY", "Bayeke", A.CHIEFDOM, "CD-LU-LUB", -10.45, 26.60),
    AreaSpec("CD-LU-LUB-FUN", "Fungurume", A.COMMUNE, "CD-LU-LUB", -10.62, 26.32),
    AreaSpec("CD-LU-MUT", "Mutshatsha", A.TERRITORY, "CD-LU", -10.65, 24.45),
    AreaSpec("CD-LU-MUT-LUI", "Luilu", A.SECTOR, "CD-LU-MUT", -10.72, 25.33),
    AreaSpec("CD-LU-SAN", "Sandoa", A.TERRITORY, "CD-LU", -9.69, 22.91),
    # Haut-Katanga
    AreaSpec("CD-HK", "Haut-Katanga", A.PROVINCE, COUNTRY, -11.66, 27.48),
    AreaSpec("CD-HK-LSH", "Lubumbashi", A.CITY, "CD-HK", -11.66, 27.48),
    AreaSpec("CD-HK-LSH-ANN", "Annexe", A.COMMUNE, "CD-HK-LSH", -11.70, 27.44),
    AreaSpec("CD-HK-LSH-KAL", "Kamalondo", A.COMMUNE, "CD-HK-LSH", -11.67, 27.49),
    AreaSpec("CD-HK-LSH-KAM", "Kampemba", A.COMMUNE, "CD-HK-LSH", -11.64, 27.50),
    AreaSpec("CD-HK-LSH-KAT", "Katuba", A.COMMUNE, "CD-HK-LSH", -11.70, 27.46),
    AreaSpec("CD-HK-LSH-KEN", "Kenya", A.COMMUNE, "CD-HK-LSH", -11.68, 27.48),
    AreaSpec("CD-HK-LSH-LSH", "Lubumbashi", A.COMMUNE, "CD-HK-LSH", -11.66, 27.47),
    AreaSpec("CD-HK-LSH-RWA", "Rwashi", A.COMMUNE, "CD-HK-LSH", -11.61, 27.52),
    AreaSpec("CD-HK-LIK", "Likasi", A.CITY, "CD-HK", -10.98, 26.73),
    AreaSpec("CD-HK-LIK-KIK", "Kikula", A.COMMUNE, "CD-HK-LIK", -10.97, 26.75),
    AreaSpec("CD-HK-LIK-LIK", "Likasi", A.COMMUNE, "CD-HK-LIK", -10.98, 26.73),
    AreaSpec("CD-HK-LIK-PAN", "Panda", A.COMMUNE, "CD-HK-LIK", -11.00, 26.72),
    AreaSpec("CD-HK-LIK-SHI", "Shituru", A.COMMUNE, "CD-HK-LIK", -10.96, 26.71),
    AreaSpec("CD-HK-KBV", "Kambove", A.TERRITORY, "CD-HK", -10.87, 26.60),
    AreaSpec("CD-HK-KBV-LUF", "Lufira", A.SECTOR, "CD-HK-KBV", -10.90, 26.55),
    AreaSpec("CD-HK-KSG", "Kasenga", A.TERRITORY, "CD-HK", -10.37, 28.63),
    AreaSpec("CD-HK-KIP", "Kipushi", A.TERRITORY, "CD-HK", -11.76, 27.25),
    AreaSpec("CD-HK-KIP-KIP", "Kipushi", A.COMMUNE, "CD-HK-KIP", -11.76, 27.25),
    AreaSpec("CD-HK-KIP-KAP", "Kaponda", A.CHIEFDOM, "CD-HK-KIP", -11.72, 27.33),
    AreaSpec("CD-HK-MIT", "Mitwaba", A.TERRITORY, "CD-HK", -8.63, 27.34),
    AreaSpec("CD-HK-PWE", "Pweto", A.TERRITORY, "CD-HK", -8.47, 28.90),
    AreaSpec("CD-HK-SAK", "Sakania", A.TERRITORY, "CD-HK", -12.74, 28.56),
    # Communities: villages and quarters, where facilitators work.
    _village("CD-LU-KZI-DIL-KASULO", "Kasulo", "CD-LU-KZI-DIL", -10.700, 25.455),
    _village("CD-LU-KZI-DIL-KANINA", "Kanina", "CD-LU-KZI-DIL", -10.725, 25.497),
    _village("CD-LU-KZI-DIL-MUSOMPO", "Musompo", "CD-LU-KZI-DIL", -10.662, 25.560),
    _village("CD-LU-KZI-DIL-MWANGEJI", "Mwangeji", "CD-LU-KZI-DIL", -10.690, 25.505),
    _village("CD-LU-KZI-DIL-UZIMA", "Uzima", "CD-LU-KZI-DIL", -10.712, 25.520),
    _village("CD-LU-KZI-MAN-MUTOSHI", "Mutoshi", "CD-LU-KZI-MAN", -10.668, 25.412),
    _village("CD-LU-KZI-MAN-KAPATA", "Kapata", "CD-LU-KZI-MAN", -10.770, 25.420),
    _village("CD-LU-KZI-MAN-TSHAMUNDENDA", "Tshamundenda", "CD-LU-KZI-MAN", -10.735, 25.445),
    _village("CD-LU-KZI-MAN-MUSONOIE", "Musonoie", "CD-LU-KZI-MAN", -10.708, 25.405),
    _village("CD-LU-KZI-MAN-KAMILOMBE", "Kamilombe", "CD-LU-KZI-MAN", -10.748, 25.395),
    _village("CD-LU-MUT-LUI-LUILU", "Luilu", "CD-LU-MUT-LUI", -10.735, 25.355),
    _village("CD-LU-MUT-LUI-KAWAMA", "Kawama", "CD-LU-MUT-LUI", -10.760, 25.330),
    _village("CD-LU-MUT-LUI-TILWEZEMBE", "Tilwezembe", "CD-LU-MUT-LUI", -10.790, 25.610),
    _village("CD-LU-MUT-LUI-KANDO", "Kando", "CD-LU-MUT-LUI", -10.700, 25.300),
    _village("CD-LU-LUB-BAY-TENKE", "Tenke", "CD-LU-LUB-BAY", -10.600, 26.120),
    _village("CD-LU-LUB-BAY-KWATEBALA", "Kwatebala", "CD-LU-LUB-BAY", -10.580, 26.270),
    _village("CD-LU-LUB-BAY-KISANFU", "Kisanfu", "CD-LU-LUB-BAY", -10.550, 26.380),
    _village("CD-LU-LUB-BAY-BUNKEYA", "Bunkeya", "CD-LU-LUB-BAY", -10.400, 26.970),
    _village("CD-LU-LUB-FUN-CENTRE", "Fungurume Centre", "CD-LU-LUB-FUN", -10.620, 26.320),
    _village("CD-LU-LUB-FUN-GARE", "Fungurume Gare", "CD-LU-LUB-FUN", -10.628, 26.310),
    _village("CD-LU-LUB-FUN-MULUMBU", "Mulumbu", "CD-LU-LUB-FUN", -10.612, 26.335),
    _village("CD-LU-LUB-FUN-KILIMA", "Kilima", "CD-LU-LUB-FUN", -10.635, 26.340),
    _village("CD-HK-LSH-ANN-KASUNGAMI", "Kasungami", "CD-HK-LSH-ANN", -11.720, 27.420),
    _village("CD-HK-LSH-ANN-KIMBEIMBE", "Kimbeimbe", "CD-HK-LSH-ANN", -11.625, 27.410),
    _village("CD-HK-LSH-ANN-NAVIUNDU", "Naviundu", "CD-HK-LSH-ANN", -11.690, 27.530),
    _village("CD-HK-LSH-KAT-KISANGA", "Kisanga", "CD-HK-LSH-KAT", -11.620, 27.400),
    _village("CD-HK-LSH-KAM-BELAIR", "Bel-Air", "CD-HK-LSH-KAM", -11.650, 27.505),
    _village("CD-HK-LSH-RWA-BENDERA", "Bendera", "CD-HK-LSH-RWA", -11.605, 27.535),
    _village("CD-HK-LSH-RWA-LUANO", "Luano", "CD-HK-LSH-RWA", -11.595, 27.525),
    _village("CD-HK-LIK-PAN-KAMATANDA", "Kamatanda", "CD-HK-LIK-PAN", -10.960, 26.780),
    _village("CD-HK-LIK-PAN-MISSION", "Panda Mission", "CD-HK-LIK-PAN", -11.005, 26.715),
    _village("CD-HK-LIK-KIK-GARE", "Kikula Gare", "CD-HK-LIK-KIK", -10.972, 26.752),
    _village("CD-HK-LIK-SHI-CAMP", "Shituru Camp", "CD-HK-LIK-SHI", -10.958, 26.705),
    _village("CD-HK-LIK-LIK-TSHIKAMBA", "Tshikamba", "CD-HK-LIK-LIK", -10.985, 26.740),
    _village("CD-HK-KBV-LUF-KAMBOVE", "Kambove", "CD-HK-KBV-LUF", -10.870, 26.600),
    _village("CD-HK-KBV-LUF-KAKANDA", "Kakanda", "CD-HK-KBV-LUF", -10.760, 26.420),
    _village("CD-HK-KBV-LUF-SHINKOLOBWE", "Shinkolobwe", "CD-HK-KBV-LUF", -11.050, 26.550),
    _village("CD-HK-KBV-LUF-MULUNGWISHI", "Mulungwishi", "CD-HK-KBV-LUF", -10.760, 26.640),
    _village("CD-HK-KBV-LUF-KAMPEMBA", "Kampemba ya Lufira", "CD-HK-KBV-LUF", -10.930, 26.500),
    _village("CD-HK-KIP-KIP-CENTRE", "Kipushi Centre", "CD-HK-KIP-KIP", -11.760, 27.250),
    _village("CD-HK-KIP-KIP-MUNGUMWEMA", "Mungu Mwema", "CD-HK-KIP-KIP", -11.770, 27.240),
    _village("CD-HK-KIP-KIP-MINE", "Cité de la Mine", "CD-HK-KIP-KIP", -11.755, 27.260),
    _village("CD-HK-KIP-KAP-KAPONDA", "Kaponda", "CD-HK-KIP-KAP", -11.720, 27.330),
    _village("CD-HK-KIP-KAP-KILOBELOBE", "Kilobelobe", "CD-HK-KIP-KAP", -11.700, 27.380),
)

# Outlines of the territories and cities that hold the demo's communities, for the offline map
# (geo.Area.boundary): [longitude, latitude] rings drawn by hand around the communities above.
# They are approximate sketches made for the demo, NOT the official administrative boundaries,
# and nothing is fetched from the internet: replace them with surveyed, simplified outlines
# (e.g. from the national statistics office) for a real deployment.
BOUNDARIES: dict[str, tuple[tuple[float, float], ...]] = {
    "CD-LU-KZI": (
        (25.37, -10.64), (25.47, -10.62), (25.58, -10.64), (25.60, -10.70),
        (25.55, -10.78), (25.45, -10.80), (25.37, -10.77), (25.35, -10.70),
    ),
    # Mutshatsha surrounds Kolwezi in this sketch; the city is drawn over it.
    "CD-LU-MUT": (
        (24.90, -10.45), (25.35, -10.55), (25.70, -10.60), (25.75, -10.85),
        (25.40, -10.95), (24.90, -10.90),
    ),
    "CD-LU-LUB": (
        (25.95, -10.35), (26.60, -10.20), (27.10, -10.25), (27.15, -10.50),
        (26.60, -10.70), (26.05, -10.75), (25.90, -10.55),
    ),
    "CD-HK-KBV": (
        (26.30, -10.72), (26.62, -10.70), (26.72, -10.78), (26.68, -10.93),
        (26.62, -11.12), (26.45, -11.12), (26.35, -10.95),
    ),
    "CD-HK-LIK": (
        (26.69, -10.94), (26.76, -10.93), (26.80, -10.96), (26.79, -11.01),
        (26.73, -11.03), (26.69, -11.01),
    ),
    "CD-HK-LSH": (
        (27.39, -11.59), (27.48, -11.56), (27.57, -11.58), (27.58, -11.66),
        (27.55, -11.74), (27.45, -11.76), (27.39, -11.71),
    ),
    "CD-HK-KIP": (
        (27.15, -11.70), (27.30, -11.64), (27.39, -11.66), (27.40, -11.75),
        (27.30, -11.86), (27.17, -11.84),
    ),
}  # fmt: skip

# Cooperatives are invented names: a demo must not suggest that a real cooperative or company
# is linked to child labour.
_COOP_TUJENGE = "Coopérative minière Tujenge"
_COOP_UMOJA = "Coopérative des creuseurs Umoja"
_COOP_MALEMBA = "Coopérative artisanale Malemba"
_COOP_LUFIRA = "Coopérative Lufira Minerais"
_COOP_NURU = "Coopérative Nuru ya Kipushi"

K = SiteKind
SITES: tuple[SiteSpec, ...] = (
    # Artisanal mine sites
    SiteSpec(
        "SITE-KZI-KASULO-ASM",
        "Kasulo artisanal site",
        K.ARTISANAL_MINE,
        "CD-LU-KZI-DIL-KASULO",
        _COOP_TUJENGE,
    ),
    SiteSpec(
        "SITE-KZI-KAMILOMBE-ASM",
        "Kamilombe artisanal site",
        K.ARTISANAL_MINE,
        "CD-LU-KZI-MAN-KAMILOMBE",
        _COOP_UMOJA,
    ),
    SiteSpec(
        "SITE-KZI-MUTOSHI-ASM",
        "Mutoshi artisanal zone",
        K.ARTISANAL_MINE,
        "CD-LU-KZI-MAN-MUTOSHI",
        _COOP_TUJENGE,
    ),
    SiteSpec(
        "SITE-MUT-TILWEZEMBE-ASM",
        "Tilwezembe artisanal site",
        K.ARTISANAL_MINE,
        "CD-LU-MUT-LUI-TILWEZEMBE",
        _COOP_UMOJA,
    ),
    SiteSpec(
        "SITE-MUT-KAWAMA-ASM",
        "Kawama tailings",
        K.ARTISANAL_MINE,
        "CD-LU-MUT-LUI-KAWAMA",
        _COOP_MALEMBA,
    ),
    SiteSpec(
        "SITE-LUB-KWATEBALA-ASM",
        "Kwatebala hillside diggings",
        K.ARTISANAL_MINE,
        "CD-LU-LUB-BAY-KWATEBALA",
        _COOP_MALEMBA,
    ),
    SiteSpec(
        "SITE-LUB-MULUMBU-ASM",
        "Mulumbu artisanal site",
        K.ARTISANAL_MINE,
        "CD-LU-LUB-FUN-MULUMBU",
        _COOP_MALEMBA,
    ),
    SiteSpec(
        "SITE-KBV-KAKANDA-ASM",
        "Kakanda artisanal site",
        K.ARTISANAL_MINE,
        "CD-HK-KBV-LUF-KAKANDA",
        _COOP_LUFIRA,
    ),
    SiteSpec(
        "SITE-KBV-SHINKOLOBWE-ASM",
        "Shinkolobwe old workings",
        K.ARTISANAL_MINE,
        "CD-HK-KBV-LUF-SHINKOLOBWE",
        status=SiteStatus.CLOSED,
    ),
    SiteSpec(
        "SITE-LSH-KISANGA-ASM",
        "Kisanga artisanal site",
        K.ARTISANAL_MINE,
        "CD-HK-LSH-KAT-KISANGA",
        _COOP_NURU,
    ),
    SiteSpec(
        "SITE-KIP-MINE-ASM",
        "Kipushi slag heaps",
        K.ARTISANAL_MINE,
        "CD-HK-KIP-KIP-MINE",
        _COOP_NURU,
        status=SiteStatus.INACTIVE,
    ),
    # Trading depots
    SiteSpec(
        "SITE-KZI-MUSOMPO-DEP1",
        "Musompo depot 1",
        K.TRADING_DEPOT,
        "CD-LU-KZI-DIL-MUSOMPO",
        operator="supplier-musompo",
    ),
    SiteSpec(
        "SITE-KZI-MUSOMPO-DEP2",
        "Musompo depot 2",
        K.TRADING_DEPOT,
        "CD-LU-KZI-DIL-MUSOMPO",
        operator="supplier-musompo",
    ),
    SiteSpec(
        "SITE-KZI-KASULO-DEP",
        "Kasulo buying house",
        K.TRADING_DEPOT,
        "CD-LU-KZI-DIL-KASULO",
        operator="supplier-kolwezi",
    ),
    SiteSpec(
        "SITE-LUB-FUNGURUME-DEP",
        "Fungurume Gare depot",
        K.TRADING_DEPOT,
        "CD-LU-LUB-FUN-GARE",
        operator_name="Dépôt Mwanga SARL",
    ),
    SiteSpec(
        "SITE-LIK-KAMATANDA-DEP",
        "Kamatanda depot",
        K.TRADING_DEPOT,
        "CD-HK-LIK-PAN-KAMATANDA",
        operator="supplier-likasi",
    ),
    # Processing plants
    SiteSpec(
        "SITE-MUT-LUILU-PLANT",
        "Luilu hydrometallurgical plant",
        K.PROCESSING_PLANT,
        "CD-LU-MUT-LUI-LUILU",
        operator="supplier-kolwezi",
    ),
    SiteSpec(
        "SITE-LIK-SHITURU-PLANT",
        "Shituru processing plant",
        K.PROCESSING_PLANT,
        "CD-HK-LIK-SHI-CAMP",
        operator="supplier-likasi",
    ),
    SiteSpec(
        "SITE-LSH-KASUNGAMI-PLANT",
        "Kasungami cobalt hydroxide plant",
        K.PROCESSING_PLANT,
        "CD-HK-LSH-ANN-KASUNGAMI",
        operator="supplier-lubumbashi",
    ),
    SiteSpec(
        "SITE-LUB-TENKE-PLANT",
        "Tenke concentrator",
        K.PROCESSING_PLANT,
        "CD-LU-LUB-BAY-TENKE",
        operator_name="Tenke Process Services SA",
    ),
    # Schools
    SiteSpec("SITE-KZI-KASULO-EP", "École primaire Kasulo", K.SCHOOL, "CD-LU-KZI-DIL-KASULO"),
    SiteSpec("SITE-KZI-KANINA-INST", "Institut Kanina", K.SCHOOL, "CD-LU-KZI-DIL-KANINA"),
    SiteSpec("SITE-KZI-MUTOSHI-EP", "École primaire Mutoshi", K.SCHOOL, "CD-LU-KZI-MAN-MUTOSHI"),
    SiteSpec(
        "SITE-LUB-FUNGURUME-EP", "École primaire Fungurume Centre", K.SCHOOL, "CD-LU-LUB-FUN-CENTRE"
    ),
    SiteSpec("SITE-KBV-KAKANDA-EP", "École primaire Kakanda", K.SCHOOL, "CD-HK-KBV-LUF-KAKANDA"),
    SiteSpec("SITE-KIP-CENTRE-CS", "Complexe scolaire Kipushi", K.SCHOOL, "CD-HK-KIP-KIP-CENTRE"),
    # After-school centres
    SiteSpec(
        "SITE-KZI-KASULO-ASC",
        "Centre Tumaini Kasulo",
        K.AFTER_SCHOOL_CENTRE,
        "CD-LU-KZI-DIL-KASULO",
        operator="partner-kolwezi",
    ),
    SiteSpec(
        "SITE-KZI-KANINA-ASC",
        "Centre de rattrapage Kanina",
        K.AFTER_SCHOOL_CENTRE,
        "CD-LU-KZI-DIL-KANINA",
        operator="partner-kolwezi",
    ),
    SiteSpec(
        "SITE-LUB-FUNGURUME-ASC",
        "Centre Amani Fungurume",
        K.AFTER_SCHOOL_CENTRE,
        "CD-LU-LUB-FUN-CENTRE",
        operator="partner-fungurume",
    ),
    SiteSpec(
        "SITE-LIK-PANDA-ASC",
        "Centre Jeunesse Panda",
        K.AFTER_SCHOOL_CENTRE,
        "CD-HK-LIK-PAN-MISSION",
        operator="partner-likasi",
    ),
)
