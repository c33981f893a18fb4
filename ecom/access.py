"""Who may do what: roles, the actions each allows, and how a signed-in person gets a role.

Three roles, each including the one before:
- viewer: the analytics pages, saved views and links; no downloads of any kind;
- analyst: also uploads, the SQL page, exports and model training;
- admin: also replacing and undoing loads, the effective settings (read-only), people and roles,
  and the audit log.

A person's role comes, in this order, from ECOM_ADMINS (e-mails of the first admins), the people
table an admin edits in the app, or the provider's claim named by ECOM_ROLE_CLAIM. Someone with
none of them is refused. The shared password signs in as admin, recorded as "password"; with no
sign-in configured at all the app only listens on 127.0.0.1 and the local user is admin.

A person may be limited to a list of shops (people table, or the claim ECOM_SHOPS_CLAIM): every
query then sees only those shops, and what cannot be limited to shops is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "admin")

# Action -> the least role that may do it. Every page and every button checks one of these in code.
ACTIONS: dict[str, str] = {
    "view": "viewer",  # analytics pages, saved views, opening links
    "save_view": "viewer",
    "download": "analyst",  # any table or file leaving the app
    "upload": "analyst",
    "sql": "analyst",
    "train": "analyst",
    "undo": "admin",
    "replace": "admin",
    "settings": "admin",
    "people": "admin",
    "audit": "admin",
    "manage_any_view": "admin",
}

# Ways a person signed in, as recorded in the audit log.
VIA_OIDC, VIA_PASSWORD, VIA_LOCAL = "oidc", "password", "local"


@dataclass(frozen=True)
class Person:
    id: str  # the e-mail (lower case), "password" or "local": what the audit log and view owners record
    role: str
    via: str
    name: str = ""
    shops: tuple[str, ...] = ()  # empty: every shop

    def can(self, action: str) -> bool:
        return allows(self.role, action)

    @property
    def limited(self) -> bool:
        return bool(self.shops)


def allows(role: str, action: str) -> bool:
    need = ACTIONS[action]  # an unknown action is a programming error, never "allowed"
    return role in ROLES and ROLES.index(role) >= ROLES.index(need)


def highest_role(value) -> str | None:
    """The highest role named by a claim value: "analyst", ["viewer", "admin"], "Admin" ..."""
    values = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    found = [v.strip().lower() for v in values if isinstance(v, str) and v.strip().lower() in ROLES]
    return max(found, key=ROLES.index) if found else None


def claim(claims: dict, path: str):
    """The claim at `path` ("roles", or dotted into nested claims: "realm_access.roles")."""
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def shops_of(value) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    return tuple(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))


def resolve(claims: dict, people: dict[str, tuple[str, tuple[str, ...]]], admins: tuple[str, ...], role_claim: str,
            shops_claim: str) -> Person | None:
    """The person signed in with OpenID Connect `claims`, or None when no role applies.

    `people` maps lower-case e-mails to (role, shops) from the people table. An e-mail the
    provider marks unverified matches neither ECOM_ADMINS nor the people table.
    """
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True) is not False
    name = str(claims.get("name") or email or claims.get("sub") or "")
    ident = email if email and verified else f"sub:{claims.get('sub', '')}"
    claim_shops = shops_of(claim(claims, shops_claim))
    if email and verified and email in admins:
        return Person(ident, "admin", VIA_OIDC, name)
    if email and verified and email in people:
        role, shops = people[email]
        if role in ROLES:
            return Person(ident, role, VIA_OIDC, name, tuple(shops) or claim_shops)
    role = highest_role(claim(claims, role_claim))
    if role:
        return Person(ident, role, VIA_OIDC, name, claim_shops)
    return None


PASSWORD_PERSON = Person("password", "admin", VIA_PASSWORD, "password")
LOCAL_PERSON = Person("local", "admin", VIA_LOCAL, "local")
