"""Import mappings: which column of a CRM export fills which revdesk field, how the file's values (stages,
outcomes, roles) translate, and how its dates are written. One TOML file per layout, checked like the playbook
(every problem as "FILE:LINE: key: reason"). Pure Python; db/importing/importer.py applies a mapping to a file.

    kind = "deals"                  # users | accounts | contacts | deals | activities | deal_history
    name = "Maven CRM sales pipeline"
    vendor = "generic"              # hubspot | pipedrive | salesforce | close | odoo | generic (for --format)
    date_format = "ymd"             # iso | ymd | dmy | mdy (default: decided from the file's dates)
    currency = "USD"                # amounts with no currency of their own
    [columns]                       # revdesk field = the file's column
    external_id = "opportunity_id"
    owner = "sales_agent"
    [values.stage]                  # the file's value = a playbook stage key
    Won = "closed_won"
    [defaults]                      # fields the file does not have
    source = "Maven CRM"
"""

from __future__ import annotations

import typing
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from revdesk.core.playbook.model import check

Kind = Literal["users", "accounts", "contacts", "deals", "activities", "deal_history"]
Vendor = Literal["hubspot", "pipedrive", "salesforce", "close", "odoo", "generic"]
DateFormat = Literal["iso", "ymd", "dmy", "mdy"]
Role = Literal["sdr", "ae", "cs", "manager", "founder"]
_STRICT = {"extra": "forbid"}

# The fields each kind can fill, and those it must have. `account_key`: the account's id in the CRM the file
# comes from, the one its accounts import read as external_id (HubSpot's company id).
FIELDS: dict[str, tuple[str, ...]] = {
    "users": ("name", "handle", "email", "role", "team", "timezone", "manager"),
    "accounts": ("external_id", "name", "domain", "industry", "employees", "country", "timezone", "owner",
                 "parent", "created_at"),
    "contacts": ("external_id", "first_name", "last_name", "name", "email", "phone", "title", "account",
                 "account_domain", "country", "timezone", "buying_role", "lead_source", "lifecycle_stage", "owner",
                 "created_at", "became_mql_at", "became_sql_at", "became_opportunity_at", "became_customer_at",
                 "lead_status", "do_not_contact", "inbound", "account_key"),
    "deals": ("external_id", "name", "account", "contact_email", "amount", "currency", "stage", "owner", "product",
              "source", "engaged_at", "closed_at", "expected_close_date", "created_at", "lost_reason", "status",
              "account_key", "account_domain"),
    # touches done (calls, e-mails, meetings, notes); a row not done yet ("done" false) is a task to do; "time":
    # the time of day, when a file keeps it apart from the date (in the owner's timezone)
    "activities": ("external_id", "kind", "outcome", "occurred_at", "time", "owner", "contact_email", "contact",
                   "account", "deal", "subject", "note", "done"),
    # a deal's stage changes (Salesforce OpportunityHistory): the deal is the id its import was given
    "deal_history": ("deal", "stage", "changed_at", "changed_by", "amount", "close_date", "deleted"),
}
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {  # at least one of each group
    "users": (("name",),),
    "accounts": (("name", "domain"),),
    "contacts": (("email", "name", "last_name"),),
    "deals": (("stage",), ("account", "account_key")),
    "activities": (("kind",), ("occurred_at",), ("contact_email", "contact", "account", "deal")),
    "deal_history": (("deal",), ("stage",), ("changed_at",)),
}
VALUE_MAPS: dict[str, tuple[str, ...]] = {"users": ("role",), "accounts": (),
                                          "contacts": ("lifecycle_stage", "lead_status", "do_not_contact"),
                                          "deals": ("stage", "account", "status"),
                                          "activities": ("kind", "outcome", "done"), "deal_history": ("stage",)}


def unmet_groups(kind: str, given: Collection[str]) -> list[tuple[str, ...]]:
    """The groups of fields `kind` needs of which none is among the fields `given` (columns or defaults)."""
    return [group for group in REQUIRED[kind] if not any(f in given for f in group)]


@dataclass(frozen=True)
class ImportMapping:
    __pydantic_config__ = _STRICT
    kind: Kind
    columns: dict[str, str]
    name: str = "Import"
    vendor: Vendor = "generic"
    date_format: DateFormat | None = None
    currency: str = "EUR"
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    manager_role: Role = "manager"  # users: people named as someone's manager are created with this role
    # a CSV file revdesk exported: the quote its export put before a cell that starts like a formula comes off
    revdesk_export: bool = False

    def __post_init__(self) -> None:
        known = FIELDS[self.kind]
        for target in (*self.columns, *self.defaults):
            check(target in known, f"columns.{target}",
                  f"is not a field of {self.kind} (they are: {', '.join(known)})")
        for group in unmet_groups(self.kind, {*self.columns, *self.defaults}):  # the first is reported
            check(False, "columns", f"{self.kind} need a column for {' or '.join(group)}")
        for target in self.values:
            check(target in VALUE_MAPS[self.kind], f"values.{target}",
                  f"only {', '.join(VALUE_MAPS[self.kind]) or 'no field'} of {self.kind} take a value map")
        check(len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper(), "currency",
              "must be an ISO 4217 code like EUR")
        if self.kind == "users" and "role" in self.defaults:
            check(self.defaults["role"] in typing.get_args(Role), "defaults.role",
                  f"must be one of {', '.join(typing.get_args(Role))}")

    def column(self, target: str) -> str | None:
        return self.columns.get(target)

    def translate(self, target: str, value: str) -> str:
        """The file's value for `target` in revdesk's terms (case and spaces ignored); unchanged when unmapped."""
        folded = self._folded.get(target)
        if not folded:
            return value
        return folded.get(value.strip().casefold(), value)

    @property
    def _folded(self) -> dict[str, dict[str, str]]:
        """The value maps keyed as compared (case and spaces ignored), built once."""
        folded = self.__dict__.get("_folded_cache")
        if folded is None:
            folded = {t: {k.strip().casefold(): v for k, v in table.items()} for t, table in self.values.items()}
            object.__setattr__(self, "_folded_cache", folded)
        return folded


def parse_mapping(source: str, origin: str = "mapping") -> ImportMapping:
    """Validate mapping TOML; raise PlaybookError naming each bad key and its line."""
    from revdesk.core.common.validation import validate_toml

    return validate_toml(ImportMapping, source, origin)
