"""The demo data of ``manage.py seed_demo``: real offices and municipalities, made-up people.

Kept as data here so the command stays a thin loop and tests can name the same users.
"""

import datetime

DEMO_START = datetime.date(2024, 1, 1)

# When each demo office opened (offices in time, issue 10 item 10): Trondheim's four offices by
# the partnership agreement of November 2008; the rest over the NAV reform's roll-out 2009–2010.
# Values for months before an office opened are refused. Narvik: source 004 tells of the
# municipal merger of 2020 (Narvik, Ballangen, part of Tysfjord) — the office reopened then as
# the new Narvik's office.
OPENED_ON = {
    "heimdal": datetime.date(2008, 11, 1),
    "lerkendal": datetime.date(2008, 11, 1),
    "midtbyen": datetime.date(2008, 11, 1),
    "ostbyen": datetime.date(2008, 11, 1),
    "malvik": datetime.date(2009, 9, 1),
    "stjordal": datetime.date(2009, 3, 1),
    "indre-salten": datetime.date(2010, 1, 1),
    "narvik": datetime.date(2020, 1, 1),
    "bodo": datetime.date(2009, 6, 1),
    "tromso": datetime.date(2010, 4, 1),
}

# Offices whose municipality memberships start when they opened (not at DEMO_START).
SERVED_SINCE_OPENING = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}

# code, name, county number, postal place, [(municipality number, is host)]
OFFICES = [
    ("heimdal", "NAV Heimdal", "50", "Trondheim", [("5001", False)]),
    ("lerkendal", "NAV Lerkendal", "50", "Trondheim", [("5001", False)]),
    ("midtbyen", "NAV Midtbyen", "50", "Trondheim", [("5001", False)]),
    ("ostbyen", "NAV Østbyen", "50", "Trondheim", [("5001", False)]),
    ("malvik", "NAV Malvik", "50", "Hommelvik", [("5031", False)]),
    ("stjordal", "NAV Stjørdal", "50", "Stjørdal", [("5035", False)]),
    (
        "indre-salten",
        "NAV Indre Salten",
        "18",
        "Fauske",
        [("1841", True), ("1840", False), ("1845", False), ("1839", False), ("1875", False)],
    ),
    ("narvik", "NAV Narvik", "18", "Narvik", [("1806", False)]),
    ("bodo", "NAV Bodø", "18", "Bodø", [("1804", False)]),
    ("tromso", "NAV Tromsø", "55", "Tromsø", [("5501", False)]),
]

# username, first name, last name, employer side, employer (county or municipality number),
# [(role, scope kind, scope key)]; scope kind None: a national role.
USERS = [
    # The directorate's administrator: sets national indicators and targets.
    ("direktorat.admin", "Dina", "Rønning", "state", "", [("national_admin", None, None)]),
    # A statistics system's service account: delivers measurements for Trøndelag's offices
    # through the bulk API, and reads nothing.
    (
        "statistikk.klient",
        "Statistikk",
        "Klient",
        "state",
        "",
        [("statistics_client", "county", "50")],
    ),
    ("leder.heimdal", "Hege", "Lund", "state", "50", [("office_leader", "office", "heimdal")]),
    ("stat.heimdal", "Stian", "Aune", "state", "50", [("office_staff", "office", "heimdal")]),
    (
        "kommune.heimdal",
        "Kari",
        "Moe",
        "municipal",
        "5001",
        [("office_staff", "office", "heimdal")],
    ),
    ("stat.lerkendal", "Sondre", "Berg", "state", "50", [("office_staff", "office", "lerkendal")]),
    (
        "kommune.lerkendal",
        "Kristin",
        "Dahl",
        "municipal",
        "5001",
        [("office_staff", "office", "lerkendal")],
    ),
    (
        "radmann.trondheim",
        "Rolf",
        "Strand",
        "municipal",
        "5001",
        [("municipal_executive", "municipality", "5001")],
    ),
    (
        "fylkesdirektor.trondelag",
        "Frida",
        "Haugen",
        "state",
        "50",
        [("county_director", "county", "50")],
    ),
    (
        "fylkesdirektor.nordland",
        "Finn",
        "Johansen",
        "state",
        "18",
        [("county_director", "county", "18")],
    ),
    (
        "radmann.fauske",
        "Randi",
        "Nilsen",
        "municipal",
        "1841",
        [("municipal_executive", "municipality", "1841")],
    ),
    (
        "radmann.saltdal",
        "Rune",
        "Olsen",
        "municipal",
        "1840",
        [("municipal_executive", "municipality", "1840")],
    ),
    # The executives of Narvik and Bodø, the municipal parties of those offices' agreements
    # (agreements/demo.py).
    (
        "radmann.narvik",
        "Ragnhild",
        "Eriksen",
        "municipal",
        "1806",
        [("municipal_executive", "municipality", "1806")],
    ),
    (
        "radmann.bodo",
        "Roar",
        "Hagen",
        "municipal",
        "1804",
        [("municipal_executive", "municipality", "1804")],
    ),
    (
        "leder.indre-salten",
        "Ingrid",
        "Pedersen",
        "state",
        "18",
        [("office_leader", "office", "indre-salten")],
    ),
]

# Staff on both sides at every demo office: (first, last) names for generated users
# stat.<office> / kommune.<office> where the list above has none.
STAFF_NAMES = [
    ("Anne", "Bakken"),
    ("Bjørn", "Eide"),
    ("Camilla", "Foss"),
    ("Dag", "Gundersen"),
    ("Elin", "Hansen"),
    ("Geir", "Iversen"),
    ("Hanne", "Jakobsen"),
    ("Ivar", "Karlsen"),
    ("Jorunn", "Larsen"),
    ("Knut", "Myhre"),
    ("Line", "Nygård"),
    ("Magnus", "Olsen"),
    ("Nina", "Pettersen"),
    ("Ola", "Rasmussen"),
    ("Per", "Solberg"),
    ("Randi", "Tangen"),
    ("Siri", "Ulset"),
    ("Tor", "Vik"),
    ("Unni", "Wold"),
    ("Vidar", "Aasen"),
]

# The 2011 audit's situation in miniature: state employees at NAV Heimdal with delegated view
# of municipal data (001 §5.3.1), one delegation that has run out.
# (username, first, last, days left — negative: ended that many days ago)
HEIMDAL_DELEGATIONS = [
    ("stat.heimdal", "Stian", "Aune", 180),
    ("stat2.heimdal", "Sigrid", "Brekke", 120),
    ("stat3.heimdal", "Sverre", "Lie", 90),
    ("stat4.heimdal", "Solveig", "Ness", -30),
]
DELEGATION_BASIS = "delegasjonsvedtak 2010-14 (Trondheim kommune)"

# Notes at NAV Heimdal, one per side: (title, side, text)
HEIMDAL_NOTES = [
    ("Virksomhetsplan 2026", "joint", "Felles mål for NAV Heimdal i 2026."),
    ("Sosialhjelp oktober", "municipal", "Utbetalt økonomisk sosialhjelp per team."),
    ("Sykefravær oktober", "state", "Sykefravær blant statlig ansatte per team."),
]
