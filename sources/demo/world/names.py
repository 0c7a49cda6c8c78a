"""Names of people and companies, and the typos people make writing them."""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Maria", "James", "Aisha", "Wei", "Sofia", "Liam", "Olivia", "Noah", "Emma", "Lucas",
    "Priya", "Mateo", "Chloe", "Ethan", "Fatima", "Daniel", "Grace", "Omar", "Hannah", "Diego",
    "Yuki", "Samuel", "Isabella", "Kwame", "Ava", "Benjamin", "Mia", "Elijah", "Zoe", "Arjun",
    "Camila", "Henry", "Leila", "Jack", "Nora", "Mohammed", "Ella", "Kenji", "Ruby", "Carlos",
    "Amara", "Owen", "Ingrid", "Tariq", "Lucia", "Michael", "Sarah", "David", "Laura", "Peter",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Lopez", "Smith", "Johnson", "Chen", "Garcia", "Williams", "Brown", "Nguyen", "Patel",
    "Kim", "Martinez", "Davis", "Okafor", "Rodriguez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Schmidt", "Kowalski", "Haddad", "Yamamoto",
)  # fmt: skip

COMPANY_STEMS: tuple[str, ...] = (
    "Northwind", "Bluebird", "Cascade", "Summit", "Harbor", "Ironwood", "Lakeside", "Redwood",
    "Silverline", "Keystone", "Brightpath", "Granite", "Evergreen", "Pioneer", "Westfield",
    "Copperleaf", "Starling", "Meridian", "Oakridge", "Tidewater",
)  # fmt: skip

COMPANY_KINDS: tuple[str, ...] = (
    "Logistics", "Health", "Foods", "Labs", "Outfitters", "Partners", "Systems", "Studios",
    "Builders", "Analytics", "Retail", "Energy",
)  # fmt: skip

INDUSTRIES: tuple[str, ...] = (
    "retail", "healthcare", "software", "manufacturing", "logistics", "finance", "education",
    "hospitality", "energy", "media",
)  # fmt: skip


def misspell(surname: str) -> str:
    """Swap the last two different adjacent letters: `Smith` → `Smiht`, a typical typing slip."""
    letters = list(surname)
    for position in range(len(letters) - 1, 0, -1):
        if letters[position] != letters[position - 1]:
            letters[position], letters[position - 1] = letters[position - 1], letters[position]
            return "".join(letters)
    return surname + surname[-1]


def title_case_email(email: str) -> str:
    """`maria.lopez@example.com` → `Maria.Lopez@Example.com`: same mailbox, different case."""
    local, _, domain = email.partition("@")
    local_cased = ".".join(part.capitalize() for part in local.split("."))
    return f"{local_cased}@{domain.capitalize()}"
