"""What an agreement version says, as data: its canonical content, the hash that approvals
sign, and the difference between two versions.

The hash is SHA-256 over a canonical JSON of everything the parties agree to — the agreement's
title, offices and municipal parties, the version's period, revision date, signatories, agreed
meetings, every section's text and every service with its start. An approval stores the hash
of what its giver saw; a later change gives another hash, so the approval no longer counts, and
the PDF prints the hash so that what was agreed can be proven later.
"""

import difflib
import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementVersion, RequiredTopic

# The version's own fields that are part of what is agreed, with their labels.
AGREED_FIELDS = {
    "kind": _("kind"),
    "valid_from": _("valid from"),
    "valid_to": _("valid to (inclusive)"),
    "revision_due": _("revision due"),
    "signatories": _("signatories"),
    "cooperation_meetings_per_year": _("cooperation meetings a year"),
    "partnership_meetings_per_year": _("partnership meetings a year"),
    "user_council_meetings_per_year": _("user council meetings a year"),
}


def _value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def canonical_content(version: AgreementVersion) -> dict:
    """Everything the parties agree to in ``version``, in a stable order (3 queries)."""
    agreement = version.agreement
    return {
        "agreement": agreement.pk,
        "title": agreement.title,
        "offices": sorted(agreement.offices.values_list("code", flat=True)),
        "municipalities": sorted(agreement.municipalities.values_list("number", flat=True)),
        "number": version.number,
        **{name: _value(getattr(version, name)) for name in AGREED_FIELDS},
        "sections": {
            topic: text
            for topic, text in sorted(version.sections.values_list("topic", "text"))
            if text.strip()
        },
        "services": sorted(
            [code, starts_on.isoformat()]
            for code, starts_on in version.services.values_list("service__code", "starts_on")
        ),
    }


def content_hash(version: AgreementVersion) -> str:
    canonical = json.dumps(
        canonical_content(version), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Differences between versions ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class SectionChange:
    """A section whose text changed: ``segments`` are (op, text), op one of equal/insert/delete,
    word by word, for the page to mark up as <ins> and <del>."""

    topic: str
    label: str
    segments: tuple[tuple[str, str], ...]


@dataclass
class VersionDiff:
    fields: list[Change] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    services_added: list[str] = field(default_factory=list)
    services_removed: list[str] = field(default_factory=list)
    services_changed: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.fields
            or self.sections
            or self.services_added
            or self.services_removed
            or self.services_changed
        )


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _word_segments(before: str, after: str) -> tuple[tuple[str, str], ...]:
    old, new = before.split(" "), after.split(" ")
    segments = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            segments.append(("insert", " ".join(new[j1:j2])))
    return tuple(segments)


def version_diff(before: AgreementVersion, after: AgreementVersion) -> VersionDiff:
    """What changed from ``before`` to ``after``: fields, section texts, services."""
    diff = VersionDiff()
    for name, label in AGREED_FIELDS.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            if name == "kind":
                old, new = before.get_kind_display(), after.get_kind_display()
            diff.fields.append(Change(str(label), _shown(old), _shown(new)))
    old_sections = dict(before.sections.values_list("topic", "text"))
    new_sections = dict(after.sections.values_list("topic", "text"))
    for topic in RequiredTopic:
        old, new = old_sections.get(topic, ""), new_sections.get(topic, "")
        if old != new:
            diff.sections.append(SectionChange(topic, str(topic.label), _word_segments(old, new)))
    old_services = {
        s.service.code: s for s in before.services.select_related("service").order_by("pk")
    }
    new_services = {
        s.service.code: s for s in after.services.select_related("service").order_by("pk")
    }
    for code in sorted(new_services.keys() - old_services.keys()):
        diff.services_added.append(str(new_services[code].service))
    for code in sorted(old_services.keys() - new_services.keys()):
        diff.services_removed.append(str(old_services[code].service))
    for code in sorted(old_services.keys() & new_services.keys()):
        old, new = old_services[code].starts_on, new_services[code].starts_on
        if old != new:
            diff.services_changed.append(
                Change(str(new_services[code].service), _shown(old), _shown(new))
            )
    return diff
