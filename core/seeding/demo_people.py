"""The demo programme's organisations and people. All names are invented.

Usernames are the stable keys the seed, `demo_totp`, `demo_banner` and the README rely on.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import OrganisationType
from accounts.roles import Role


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    short_name: str
    type: str


@dataclass(frozen=True)
class PersonSpec:
    username: str
    full_name: str
    role: Role
    organisation: str  # an OrganisationSpec key
    communities: tuple[str, ...] = ()  # area codes, for facilitators
    language: str = "fr"


T = OrganisationType
HUB_NAME = "Child Rights Action Hub — Lualaba"

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec("hub", HUB_NAME, "CRAH", T.HUB),
    # Local partners employ the community facilitators.
    OrganisationSpec("partner-kolwezi", "Action pour l'Enfance de Kolwezi", "APEK", T.PARTNER),
    OrganisationSpec("partner-fungurume", "Mama Tujenge Fungurume", "MTF", T.PARTNER),
    OrganisationSpec(
        "partner-likasi", "Groupe d'Appui aux Communautés Minières", "GACOM", T.PARTNER
    ),
    OrganisationSpec("partner-lubumbashi", "Jeunesse Solidaire du Katanga", "JSK", T.PARTNER),
    # Accredited case management agencies.
    OrganisationSpec("agency-tumaini", "Tumaini — Protection de l'Enfant", "Tumaini", T.AGENCY),
    OrganisationSpec("agency-ushindi", "Centre Ushindi pour l'Enfance", "Ushindi", T.AGENCY),
    OrganisationSpec("agency-maisha", "Maisha Bora Case Management", "Maisha Bora", T.AGENCY),
    # Member companies: downstream buyers who fund the programme.
    OrganisationSpec("company-aurora", "Aurora Cells GmbH", "Aurora", T.COMPANY),
    OrganisationSpec("company-meridian", "Meridian Automotive AG", "Meridian", T.COMPANY),
    OrganisationSpec("company-kito", "Kito Electronics Ltd", "Kito", T.COMPANY),
    OrganisationSpec("company-pacific", "Pacific Cell Materials Co.", "PCM", T.COMPANY),
    OrganisationSpec("company-nordlys", "Nordlys Battery AS", "Nordlys", T.COMPANY),
    OrganisationSpec("company-sungura", "Sungura Refining SA", "Sungura", T.COMPANY),
    # Suppliers: depots and processors in the member companies' supply chains.
    OrganisationSpec("supplier-musompo", "Musompo Trading SARL", "MTS", T.SUPPLIER),
    OrganisationSpec("supplier-kolwezi", "Kolwezi Minerals Processing SARL", "KMP", T.SUPPLIER),
    OrganisationSpec("supplier-likasi", "Likasi Hydromet SARL", "LHM", T.SUPPLIER),
    OrganisationSpec("supplier-lubumbashi", "Lubumbashi Cobalt Hydroxide SA", "LCH", T.SUPPLIER),
    OrganisationSpec(
        "government-social",
        "Division provinciale des Affaires sociales — Lualaba",
        "DIVAS",
        T.GOVERNMENT,
    ),
    OrganisationSpec("verifier", "Independent Assurance Partners", "IAP", T.VERIFIER),
)

R = Role
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("demo-admin", "Aline Mwamba", R.HUB_ADMIN, "hub"),
    PersonSpec("demo-manager", "Patrick Ilunga", R.PROGRAMME_MANAGER, "hub"),
    PersonSpec(
        "demo-facilitator",
        "Esther Kabange",
        R.FACILITATOR,
        "partner-kolwezi",
        (
            "CD-LU-KZI-DIL-KASULO",
            "CD-LU-KZI-DIL-KANINA",
            "CD-LU-KZI-DIL-MUSOMPO",
            "CD-LU-KZI-DIL-MWANGEJI",
            "CD-LU-KZI-MAN-MUTOSHI",
            "CD-LU-KZI-MAN-KAPATA",
        ),
    ),
    PersonSpec("demo-caseworker", "Jean-Claude Mukendi", R.CASE_MANAGER, "agency-tumaini"),
    PersonSpec("demo-caseworker2", "Grâce Kalenga", R.CASE_MANAGER, "agency-ushindi"),
    PersonSpec("demo-supervisor", "Odette Tshibangu", R.CASE_SUPERVISOR, "agency-tumaini"),
    PersonSpec(
        "demo-company", "Sarah Lindqvist", R.COMPANY_MEMBER, "company-aurora", language="en"
    ),
    PersonSpec(
        "demo-company2", "Thomas Becker", R.COMPANY_MEMBER, "company-meridian", language="en"
    ),
    PersonSpec("demo-auditor", "Nadia Mbuyi", R.AUDITOR, "verifier"),
    # More facilitators, for the other communities.
    PersonSpec(
        "demo-facilitator-kolwezi",
        "Serge Kasongo",
        R.FACILITATOR,
        "partner-kolwezi",
        (
            "CD-LU-KZI-DIL-UZIMA",
            "CD-LU-KZI-MAN-TSHAMUNDENDA",
            "CD-LU-KZI-MAN-MUSONOIE",
            "CD-LU-KZI-MAN-KAMILOMBE",
            "CD-LU-MUT-LUI-LUILU",
            "CD-LU-MUT-LUI-KAWAMA",
            "CD-LU-MUT-LUI-TILWEZEMBE",
            "CD-LU-MUT-LUI-KANDO",
        ),
    ),
    PersonSpec(
        "demo-facilitator-fungurume",
        "Chantal Mujinga",
        R.FACILITATOR,
        "partner-fungurume",
        (
            "CD-LU-LUB-FUN-CENTRE",
            "CD-LU-LUB-FUN-GARE",
            "CD-LU-LUB-FUN-MULUMBU",
            "CD-LU-LUB-FUN-KILIMA",
            "CD-LU-LUB-BAY-TENKE",
            "CD-LU-LUB-BAY-KWATEBALA",
            "CD-LU-LUB-BAY-KISANFU",
            "CD-LU-LUB-BAY-BUNKEYA",
        ),
    ),
    PersonSpec(
        "demo-facilitator-likasi",
        "Dieudonné Banza",
        R.FACILITATOR,
        "partner-likasi",
        (
            "CD-HK-LIK-PAN-KAMATANDA",
            "CD-HK-LIK-PAN-MISSION",
            "CD-HK-LIK-KIK-GARE",
            "CD-HK-LIK-SHI-CAMP",
            "CD-HK-LIK-LIK-TSHIKAMBA",
            "CD-HK-KBV-LUF-KAMBOVE",
            "CD-HK-KBV-LUF-KAKANDA",
            "CD-HK-KBV-LUF-SHINKOLOBWE",
            "CD-HK-KBV-LUF-MULUNGWISHI",
            "CD-HK-KBV-LUF-KAMPEMBA",
        ),
    ),
    PersonSpec(
        "demo-facilitator-lubumbashi",
        "Rachel Ngoy",
        R.FACILITATOR,
        "partner-lubumbashi",
        (
            "CD-HK-LSH-ANN-KASUNGAMI",
            "CD-HK-LSH-ANN-KIMBEIMBE",
            "CD-HK-LSH-ANN-NAVIUNDU",
            "CD-HK-LSH-KAT-KISANGA",
            "CD-HK-LSH-KAM-BELAIR",
            "CD-HK-LSH-RWA-BENDERA",
            "CD-HK-LSH-RWA-LUANO",
            "CD-HK-KIP-KIP-CENTRE",
            "CD-HK-KIP-KIP-MUNGUMWEMA",
            "CD-HK-KIP-KIP-MINE",
            "CD-HK-KIP-KAP-KAPONDA",
            "CD-HK-KIP-KAP-KILOBELOBE",
        ),
    ),
)

# The example user the banner and README use for the authenticator walkthrough.
MFA_EXAMPLE_USERNAME = "demo-manager"
