"""factory-boy factories for property_rating (tests, demo helpers and the benchmark)."""

from decimal import Decimal

import factory
from django.utils import timezone

from communities.factories import (
    EstateFactory,
    HouseholdFactory,
    PropertyCompanyFactory,
    TownFactory,
    UserFactory,
)
from communities.models import User

from .models import (
    AnnualResult,
    AssessmentUnit,
    Evidence,
    ImportedAnnualInput,
    ImportedQuarterScore,
    InspectionScore,
    Payout,
    QuarterlyReport,
    QuarterScore,
    ReportItem,
    SatisfactionRating,
    Scheme,
    TaskItem,
    Veto,
)
from .schemes import scheme_add_defaults


class SchemeFactory(factory.django.DjangoModelFactory):
    """A scheme with the spec's default task list (T1-T9) and tier table."""

    class Meta:
        model = Scheme
        django_get_or_create = ("town", "year")
        skip_postgeneration_save = True

    town = factory.SubFactory(TownFactory)
    year = 2021

    @factory.post_generation
    def defaults(obj, create, extracted, **kwargs):
        if not create or extracted is False or obj.task_items.exists():
            return
        scheme_add_defaults(scheme=obj)


class AssessmentUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentUnit

    estate = factory.SubFactory(EstateFactory)
    company = factory.SubFactory(PropertyCompanyFactory)
    town = factory.LazyAttribute(lambda o: o.estate.community.town)
    year = 2021


class QuarterlyReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyReport

    unit = factory.SubFactory(AssessmentUnitFactory)
    quarter = 1


class ReportItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportItem

    report = factory.SubFactory(QuarterlyReportFactory)
    task_item = factory.LazyAttribute(
        lambda o: TaskItem.objects.filter(
            scheme__town=o.report.unit.town, scheme__year=o.report.unit.year
        ).first()
    )
    description = "完成"


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    item = factory.SubFactory(ReportItemFactory)
    file = factory.django.FileField(filename="photo.png", data=b"\x89PNG\r\n\x1a\n")
    original_name = "photo.png"
    uploaded_by = factory.SubFactory(UserFactory)


class ExpertFactory(UserFactory):
    role = User.Role.ASSESSOR
    is_staff = True
    assessor_kind = User.AssessorKind.EXPERT_PANEL
    town = factory.SubFactory(TownFactory)


class SatisfactionRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SatisfactionRating

    unit = factory.SubFactory(AssessmentUnitFactory)
    household = factory.SubFactory(
        HouseholdFactory, building__estate=factory.SelfAttribute("...unit.estate")
    )
    year = factory.SelfAttribute("unit.year")
    rating = 5


class InspectionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionScore

    unit = factory.SubFactory(AssessmentUnitFactory)
    expert = factory.SubFactory(ExpertFactory, town=factory.SelfAttribute("..unit.town"))
    score = Decimal("80")


class VetoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Veto

    unit = factory.SubFactory(AssessmentUnitFactory)
    reason = "重大安全事故"


class ImportedQuarterScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportedQuarterScore

    unit = factory.SubFactory(AssessmentUnitFactory)
    quarter = 1
    score = Decimal("80")


class ImportedAnnualInputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportedAnnualInput

    unit = factory.SubFactory(AssessmentUnitFactory)


class QuarterScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterScore

    unit = factory.SubFactory(AssessmentUnitFactory)
    quarter = 1
    status = QuarterScore.Status.SCORED
    score = Decimal("80")
    computed_at = factory.LazyFunction(timezone.now)


class AnnualResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualResult

    unit = factory.SubFactory(AssessmentUnitFactory)
    status = AnnualResult.Status.RATED
    annual_score = Decimal("80")
    computed_at = factory.LazyFunction(timezone.now)


class PayoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payout

    unit = factory.SubFactory(AssessmentUnitFactory)
    quarter = 0
    amount = Decimal("1000.00")
    calculated_at = factory.LazyFunction(timezone.now)
