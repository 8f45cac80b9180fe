"""A whole town to attack: the Lishui demo (every role, every app's data) plus a second town
built with factories, so "another town's object" exists for township staff and assessors.

`build()` returns a World whose `users` are the demo's role accounts (and anonymous: None) and
whose `objects` name one object per kind and relation: `<kind>_own` is visible to the role it is
named for, `<kind>_other_*` belongs to another company / estate / council / community / town.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.management import call_command

from communities.factories import (
    CommunityFactory,
    EstateFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    TownFactory,
)
from communities.models import Community, Estate, ResidentVerification, User
from deliberation.factories import CouncilFactory, ProposalFactory, SessionFactory, resident_of
from deliberation.models import AgendaItem, Attachment, Proposal, RemediationPlan, Session
from property_rating.factories import (
    AssessmentUnitFactory,
    QuarterlyReportFactory,
    ReportItemFactory,
    SchemeFactory,
)
from property_rating.models import Evidence, QuarterlyReport, ReportItem, Veto

PASSWORD = "demo-pass-for-security-tests-1"
ROLES = (
    "anonymous",
    "resident",
    "representative",
    "manager",
    "assessor",
    "community",
    "staff",
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def _evidence(report, user, name="photo.png"):
    item = report.items.first() or ReportItemFactory(report=report)
    evidence = Evidence(item=item, original_name=name, uploaded_by=user, size=len(PNG))
    evidence.file.save("evidence.png", ContentFile(PNG), save=False)
    evidence.save()
    return evidence


def _attachment(proposal, user, name="photo.png"):
    attachment = Attachment(proposal=proposal, original_name=name, uploaded_by=user)
    attachment.file.save("attachment.png", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


def build() -> World:
    call_command("load_demo", password=PASSWORD, stdout=_Null())
    world = World()
    for key in ROLES[1:]:
        world.users[key] = User.objects.get(username=key)
    world.users["anonymous"] = None
    users, objects = world.users, world.objects
    manager, community_staff = users["manager"], users["community"]

    home_estate = Estate.objects.get(name="糖果雅苑")  # resident, representative, manager
    home_community = community_staff.community
    other_community = Community.objects.exclude(pk=home_community.pk).get(name="金溪社区")
    objects.update(home_estate=home_estate, home_community=home_community)

    # property_rating: a report of the manager's company, another company's in the same
    # community, and one in another town.
    own_reports = QuarterlyReport.objects.filter(unit__company=manager.company)
    objects["report_own"] = own_reports.filter(unit__estate=home_estate).order_by("-pk").first()
    objects["report_own_draft"] = (
        own_reports.filter(status=QuarterlyReport.Status.DRAFT).order_by("pk").first()
    )
    objects["report_other_company"] = (
        QuarterlyReport.objects.exclude(unit__company=manager.company)
        .filter(unit__estate__community=home_community)
        .order_by("pk")
        .first()
    ) or QuarterlyReport.objects.exclude(unit__company=manager.company).order_by("pk").first()
    objects["unit_own"] = objects["report_own"].unit
    objects["unit_other_company"] = objects["report_other_company"].unit
    objects["evidence_own"] = _evidence(objects["report_own"], manager)
    objects["evidence_other_company"] = _evidence(objects["report_other_company"], manager)
    objects["veto_any"] = Veto.objects.order_by("pk").first()
    objects["company_own"] = manager.company

    # deliberation: proposals of the home estate, another estate of the same community,
    # another community, another town.
    proposals = Proposal.objects.exclude(state=Proposal.State.DRAFT)
    objects["proposal_own"] = proposals.filter(estate=home_estate).order_by("pk").first()
    objects["proposal_other_estate"] = (
        proposals.filter(estate__community=home_community)
        .exclude(estate=home_estate)
        .order_by("pk")
        .first()
    )
    objects["proposal_other_community"] = (
        proposals.filter(estate__community=other_community).order_by("pk").first()
    )
    objects["session_own"] = Session.objects.filter(council__estate=home_estate).order_by(
        "-date", "-pk"
    )[0]
    objects["session_other_community"] = Session.objects.filter(
        council__estate__community=other_community
    ).first()
    objects["agenda_own"] = AgendaItem.objects.filter(session=objects["session_own"]).first()
    objects["agenda_other_community"] = AgendaItem.objects.filter(
        session=objects["session_other_community"]
    ).first()
    objects["attachment_own"] = _attachment(objects["proposal_own"], users["resident"])
    objects["attachment_other_community"] = _attachment(
        objects["proposal_other_community"], users["resident"]
    )
    objects["plan_any"] = RemediationPlan.objects.order_by("pk").first()
    objects["council_own"] = objects["session_own"].council
    objects["council_other_community"] = objects["session_other_community"].council

    # communities: a pending verification in the home community and in another one.
    objects["verification_own"] = ResidentVerification.objects.create(
        user=User.objects.create(username="newcomer-home", role=User.Role.RESIDENT),
        household=home_estate.buildings.get(name="3栋").households.first(),
        resident_name="赵六",
    )
    other_estate = Estate.objects.filter(community=other_community).first()
    objects["verification_other_community"] = ResidentVerification.objects.create(
        user=User.objects.create(username="newcomer-other", role=User.Role.RESIDENT),
        household=other_estate.buildings.first().households.first(),
        resident_name="钱七",
    )

    # Another town: nobody of Lishui may see any of it.
    town2 = TownFactory(name="外镇")
    community2 = CommunityFactory(town=town2, name="外镇社区")
    estate2 = EstateFactory(
        community=community2,
        name="外镇小区",
        status=Estate.Status.DELIVERED,
        delivery_date=datetime.date(2015, 1, 1),
    )
    company2 = PropertyCompanyFactory(name="外镇物业")
    ServiceContractFactory(estate=estate2, company=company2, valid_from=datetime.date(2021, 1, 1))
    SchemeFactory(town=town2, year=objects["report_own"].unit.year)
    unit2 = AssessmentUnitFactory(
        estate=estate2, company=company2, town=town2, year=objects["report_own"].unit.year
    )
    report2 = QuarterlyReportFactory(unit=unit2, quarter=1, status=QuarterlyReport.Status.SUBMITTED)
    ReportItemFactory(report=report2)
    objects["report_other_town"] = report2
    objects["unit_other_town"] = unit2
    council2 = CouncilFactory(estate=estate2)
    author2 = resident_of(estate2)
    objects["proposal_other_town"] = ProposalFactory(council=council2, proposer=author2)
    objects["session_other_town"] = SessionFactory(council=council2)
    objects["council_other_town"] = council2
    assert ReportItem.objects.filter(report=report2).exists()

    # cases: the department account (issue 12) and a case of the home estate reported by the
    # resident, one at town level with the department, one in another town.
    from deliberation.cases.models import CaseCategory
    from deliberation.cases.services import case_escalate, case_receive, responsibility_list_ensure

    users["department"] = User.objects.get(username="department")
    c01 = CaseCategory.objects.get(town=home_estate.community.town, code="C01")
    objects["case_own"] = case_receive(estate=home_estate, category=c01, title="楼道灯不亮",
                                       source="portal", reporter=users["resident"])  # fmt: skip
    dept = case_receive(estate=other_estate, category=c01, title="漏水", source="staff")
    case_escalate(case=dept, by=users["staff"], reason="r")
    case_escalate(case=dept, by=users["staff"], reason="r")
    objects["case_department"] = dept
    responsibility_list_ensure(town=town2)
    objects["case_other_town"] = case_receive(
        estate=estate2, category=CaseCategory.objects.get(town=town2, code="C01"), title="t",
        source="staff",
    )  # fmt: skip
    return world


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
