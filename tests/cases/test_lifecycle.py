"""A case's life: dispatch by the responsibility list, moves, escalation, rating, joint meetings."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from communities.departments import Department
from communities.factories import EstateFactory, ResidentFactory
from deliberation.cases import services
from deliberation.cases.models import Assignment, Case, CaseEvent, CaseFollower, Level
from governance.models import AuditEvent

from .conftest import category, sh

D = datetime.date
State = Case.State


def end_of(day):
    return sh(day.year, day.month, day.day, 23, 59, 59)


def receive(estate, code, *, reporter=None, at=None, **kwargs):
    return services.case_receive(
        estate=estate,
        category=category(estate.community.town, code),
        title=kwargs.pop("title", "电梯停运"),
        source=kwargs.pop("source", Case.Source.PORTAL),
        reporter=reporter,
        received_at=at,
        **kwargs,
    )


def open_assignment(case) -> Assignment:
    return case.assignments.get(ended_at__isnull=True)


@pytest.mark.django_db
class TestDispatchOnReceipt:
    def test_estate_level_category_goes_to_the_company_serving_the_estate(self, estate, company):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        assignment = open_assignment(case)
        assert (assignment.level, assignment.company) == (Level.ESTATE, company)
        assert assignment.accept_due == end_of(D(2026, 6, 2))
        assert assignment.reply_due == end_of(D(2026, 6, 4))
        assert case.state == State.ASSIGNED
        kinds = list(case.events.values_list("kind", flat=True))
        assert kinds == [CaseEvent.Kind.RECEIVED, CaseEvent.Kind.ASSIGNED]
        assert (
            AuditEvent.objects.filter(
                object_type="deliberation.case", object_id=str(case.pk)
            ).count()
            == 2
        )

    def test_estate_without_a_company_starts_at_community_level(self, estate):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        assignment = open_assignment(case)
        assert (assignment.level, assignment.community) == (Level.COMMUNITY, estate.community)
        assert assignment.reply_due == end_of(D(2026, 6, 8))

    def test_town_level_category_goes_to_the_department_of_the_list(self, estate, company):
        case = receive(estate, "C05", at=sh(2026, 6, 1, 10))
        assignment = open_assignment(case)
        assert assignment.level == Level.TOWN
        assert assignment.department.name == "综合行政执法办"

    def test_hotline_ticket_is_assigned_at_its_received_time(self, estate, company):
        with time_machine.travel(sh(2026, 6, 10, 10), tick=False):
            case = receive(estate, "C02", at=sh(2026, 6, 1, 9), source=Case.Source.HOTLINE,
                           ticket="12345-1", caller_name="张三", caller_phone="13800000000")  # fmt: skip
        assert open_assignment(case).assigned_at == sh(2026, 6, 1, 9)

    def test_bad_input_is_refused_with_field_messages_and_nothing_saved(self, estate):
        other = EstateFactory()
        services.responsibility_list_ensure(town=other.community.town)
        with pytest.raises(ValidationError) as error:
            services.case_receive(
                estate=estate,
                category=category(other.community.town, "C01"),
                title="two\nlines",
                source="fax",
            )
        assert set(error.value.message_dict) == {"title", "category", "source"}
        assert not Case.objects.exists()


@pytest.mark.django_db
class TestAutomaticEscalation:
    def test_unanswered_case_escalates_at_the_deadline_counted_from_the_missed_deadline(
        self, estate, company
    ):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        with time_machine.travel(sh(2026, 6, 4, 23, 59, 59), tick=False):
            assert services.escalate_overdue() == 0
        # The pass runs late (two days after): the next level still counts from the deadline.
        with time_machine.travel(sh(2026, 6, 6, 15, 5), tick=False):
            assert services.escalate_overdue() == 1
            assert services.escalate_overdue() == 0  # idempotent
        case.refresh_from_db()
        first, second = case.assignments.order_by("pk")
        assert first.end == Assignment.End.AUTO_ESCALATED
        assert first.ended_at == end_of(D(2026, 6, 4))
        assert (second.level, second.community) == (Level.COMMUNITY, estate.community)
        assert second.assigned_at == end_of(D(2026, 6, 4))
        assert second.reply_due == end_of(D(2026, 6, 11))  # 5, 8, 9, 10, 11 June
        assert case.level == Level.COMMUNITY
        event = case.events.get(kind=CaseEvent.Kind.AUTO_ESCALATED)
        assert event.at == end_of(D(2026, 6, 4))

    def test_old_ticket_climbs_every_level_it_missed_up_to_the_joint_meeting(self, estate, company):
        with time_machine.travel(sh(2026, 8, 1, 10), tick=False):
            case = receive(estate, "C01", at=sh(2026, 6, 1, 10), source=Case.Source.HOTLINE,
                           ticket="T-old")  # fmt: skip
            assert services.escalate_overdue() == 3
        case.refresh_from_db()
        levels = list(case.assignments.order_by("pk").values_list("level", flat=True))
        assert levels == [Level.ESTATE, Level.COMMUNITY, Level.TOWN]
        assert (case.level, case.state) == (Level.JOINT_MEETING, State.RECEIVED)
        town_assignment = case.assignments.get(level=Level.TOWN)
        assert town_assignment.assigned_at == end_of(D(2026, 6, 11))
        assert town_assignment.reply_due == end_of(D(2026, 6, 26))  # 19 June Dragon Boat

    def test_accepted_but_unanswered_case_escalates_too(self, estate, company, manager):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
            services.case_accept(case=case, by=manager)
        with time_machine.travel(sh(2026, 6, 5, 1), tick=False):
            assert services.escalate_overdue() == 1


@pytest.mark.django_db
class TestHandlerMoves:
    def test_late_acceptance_is_counted_and_moves_nothing(self, estate, company, manager):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        with time_machine.travel(sh(2026, 6, 3, 9), tick=False):
            assignment = services.case_accept(case=case, by=manager)
        assert assignment.accepted_late is True
        case.refresh_from_db()
        assert (case.state, case.level) == (State.ACCEPTED, Level.ESTATE)

    def test_return_and_reassignment_is_a_new_assignment_counted_as_misroute(
        self, estate, company, manager, community_staff
    ):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        with time_machine.travel(sh(2026, 6, 1, 15), tick=False):
            with pytest.raises(ValidationError):
                services.case_return(case=case, by=manager, reason="  ")
            services.case_return(case=case, by=manager, reason="属于违章搭建，非物业职责")
        case.refresh_from_db()
        assert case.state == State.RECEIVED
        assert not case.assignments.filter(ended_at__isnull=True).exists()
        department = Department.objects.get(town=estate.community.town, name="综合行政执法办")
        with time_machine.travel(sh(2026, 6, 2, 9), tick=False):
            new = services.case_reassign(
                case=case, by=community_staff, level=Level.TOWN, department=department,
                reason="转执法办",
            )  # fmt: skip
        returned = case.assignments.get(end=Assignment.End.RETURNED)
        assert returned.return_reason == "属于违章搭建，非物业职责"
        assert (new.misroute, new.department, new.level) == (True, department, Level.TOWN)
        assert new.assigned_at == sh(2026, 6, 2, 9)
        assert new.reply_due == end_of(D(2026, 6, 16))
        kinds = set(case.events.values_list("kind", flat=True))
        assert {CaseEvent.Kind.RETURNED, CaseEvent.Kind.REASSIGNED} <= kinds

    def test_return_after_the_acceptance_deadline_is_refused(self, estate, company, manager):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01")
        with (
            time_machine.travel(sh(2026, 6, 3, 0, 0, 1), tick=False),
            pytest.raises(ValidationError),
        ):
            services.case_return(case=case, by=manager, reason="not ours")
        assert open_assignment(case).end == ""

    def test_handler_escalates_with_a_reason(self, estate, company, manager):
        case = receive(estate, "C03")
        with pytest.raises(ValidationError):
            services.case_escalate(case=case, by=manager, reason="")
        assignment = services.case_escalate(case=case, by=manager, reason="需要社区协调")
        assert assignment.level == Level.COMMUNITY
        assert case.events.get(kind=CaseEvent.Kind.ESCALATED).reason == "需要社区协调"


@pytest.mark.django_db
class TestRating:
    def test_low_rating_reopens_the_case_one_level_up(self, estate, company, manager, resident):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = receive(estate, "C01", reporter=resident)
        with time_machine.travel(sh(2026, 6, 2, 10), tick=False):
            reply = services.case_reply(case=case, by=manager, text="已维修")
        assert reply.on_time is True
        with time_machine.travel(sh(2026, 6, 3, 10), tick=False):
            services.case_rate(case=case, by=resident, rating=2, comment="没修好")
        case.refresh_from_db()
        assert (case.state, case.level, case.reopened_count) == (State.ASSIGNED, Level.COMMUNITY, 1)
        reopened = open_assignment(case)
        assert reopened.assigned_at == sh(2026, 6, 3, 10)
        assert case.events.filter(kind=CaseEvent.Kind.REOPENED).count() == 1

    def test_good_rating_closes_the_case(self, estate, company, manager, resident):
        case = receive(estate, "C01", reporter=resident)
        services.case_reply(case=case, by=manager, text="已处理")
        services.case_rate(case=case, by=resident, rating=5)
        case.refresh_from_db()
        assert (case.state, case.close_reason) == (State.CLOSED, Case.CloseReason.RATED)

    def test_no_rating_within_three_working_days_closes_as_not_rated(
        self, estate, company, manager
    ):
        with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
            case = receive(estate, "C01", source=Case.Source.HOTLINE, ticket="T1")
            services.case_reply(case=case, by=manager, text="已处理")
        case.refresh_from_db()
        assert case.rating_due == end_of(D(2026, 10, 10))  # 8, 9, 10 October
        with time_machine.travel(sh(2026, 10, 10, 23), tick=False):
            assert services.close_unrated() == 0
        with time_machine.travel(sh(2026, 10, 11, 1), tick=False):
            assert services.close_unrated() == 1
            assert services.close_unrated() == 0
        case.refresh_from_db()
        assert (case.state, case.close_reason) == (State.CLOSED, Case.CloseReason.NOT_RATED)

    def test_staff_callback_records_the_callers_rating(
        self, estate, company, manager, community_staff
    ):
        case = receive(estate, "C01", source=Case.Source.HOTLINE, ticket="T2")
        services.case_reply(case=case, by=manager, text="已处理")
        services.case_rate(case=case, by=community_staff, rating=4, callback=True)
        case.refresh_from_db()
        assert (case.rating, case.rated_by_callback, case.state) == (4, True, State.CLOSED)


@pytest.mark.django_db
class TestDuplicates:
    def test_open_case_of_same_estate_and_category_is_offered_and_merged(
        self, estate, company, community_staff
    ):
        first_reporter, second_reporter = ResidentFactory(), ResidentFactory()
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            kept = receive(estate, "C02", reporter=first_reporter)
        with time_machine.travel(sh(2026, 6, 20, 10), tick=False):
            offered = services.possible_duplicates(estate=estate, category=kept.category)
            assert list(offered) == [kept]
            duplicate = receive(estate, "C02", reporter=second_reporter)
            services.case_merge(duplicate=duplicate, into=kept, by=community_staff)
        duplicate.refresh_from_db()
        assert (duplicate.state, duplicate.merged_into) == (State.CLOSED, kept)
        assert duplicate.close_reason == Case.CloseReason.MERGED
        assert CaseFollower.objects.filter(case=kept, user=second_reporter).exists()
        assert not duplicate.assignments.filter(ended_at__isnull=True).exists()

    def test_case_older_than_thirty_days_is_not_offered(self, estate, company):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            kept = receive(estate, "C02")
        with time_machine.travel(sh(2026, 7, 2, 10), tick=False):
            assert not services.possible_duplicates(estate=estate, category=kept.category).exists()


@pytest.mark.django_db
class TestJointMeeting:
    def _on_agenda(self, estate):
        case = receive(estate, "C05", at=sh(2026, 6, 1, 10))
        services.case_escalate(case=case, by=None, reason="部门无法独立解决")
        case.refresh_from_db()
        return case

    def test_meeting_decision_becomes_an_assignment_flagged_when_overdue(self, estate, town_staff):
        town = estate.community.town
        case = self._on_agenda(estate)
        assert list(services.meeting_agenda(town_id=town.pk)) == [case]
        lead = Department.objects.get(town=town, name="住建办")
        co = Department.objects.get(town=town, name="综合行政执法办")
        with time_machine.travel(sh(2026, 6, 10, 15), tick=False):
            meeting = services.meeting_record(town=town, date=D(2026, 6, 10), chair="李镇长",
                                              by=town_staff, departments=[lead, co])  # fmt: skip
            decision = services.meeting_decide(
                meeting=meeting, case=case, by=town_staff, text="住建办牵头拆除",
                lead_department=lead, co_departments=[co], due_date=D(2026, 6, 30),
            )  # fmt: skip
        assignment = decision.assignment
        assert (assignment.level, assignment.department) == (Level.JOINT_MEETING, lead)
        assert assignment.reply_due == end_of(D(2026, 6, 30))
        assert list(decision.co_departments.all()) == [co]
        assert not services.meeting_agenda(town_id=town.pk).exists()
        with time_machine.travel(sh(2026, 7, 2, 10), tick=False):
            assert services.escalate_overdue() == 0  # goes no higher
            assert services.flag_overdue_meeting_assignments() == 1
            assert services.flag_overdue_meeting_assignments() == 0
        assignment.refresh_from_db()
        assert assignment.overdue_flagged_at is not None and assignment.ended_at is None

    def test_co_departments_of_a_decision_are_notified_once(
        self, estate, town_staff, django_capture_on_commit_callbacks
    ):
        from governance.notifications.models import Notification

        from .conftest import department_staff

        town = estate.community.town
        case = self._on_agenda(estate)
        lead = Department.objects.get(town=town, name="住建办")
        co = Department.objects.get(town=town, name="综合行政执法办")
        bystander = Department.objects.exclude(pk__in=[lead.pk, co.pk]).filter(town=town).first()
        lead_user, co_user, other_user = (department_staff(d) for d in (lead, co, bystander))
        meeting = services.meeting_record(
            town=town, date=D(2026, 6, 10), chair="李镇长", by=town_staff
        )
        with django_capture_on_commit_callbacks(execute=True):
            decision = services.meeting_decide(
                meeting=meeting, case=case, by=town_staff, text="住建办牵头，执法办配合拆除",
                lead_department=lead, co_departments=[co], due_date=D(2099, 6, 30),
            )  # fmt: skip
        told = Notification.objects.filter(kind="deliberation.case_co_department")
        assert list(told.values_list("user", flat=True)) == [co_user.pk]
        note = told.get()
        assert note.link == f"/cases/{case.pk}/" and lead.name in note.text
        assert "2099-06-30" in note.text and note.body == "住建办牵头，执法办配合拆除"
        # The lead department hears of its assignment; the bystander hears nothing.
        assert Notification.objects.filter(user=lead_user).exists()
        assert not Notification.objects.filter(user=other_user).exists()
        # Sending again (a retried task) tells nobody twice.
        from deliberation.cases.notify import send_to_co_departments

        assert send_to_co_departments(decision.pk) == 0
        assert told.count() == 1

    def test_meeting_may_close_the_case_with_its_decision(self, estate, town_staff):
        town = estate.community.town
        case = self._on_agenda(estate)
        meeting = services.meeting_record(
            town=town, date=D(2026, 6, 10), chair="李镇长", by=town_staff
        )
        with pytest.raises(ValidationError) as error:
            services.meeting_decide(meeting=meeting, case=case, by=town_staff, text="x")
        assert {"lead_department", "due_date"} <= set(error.value.message_dict)
        services.meeting_decide(
            meeting=meeting, case=case, by=town_staff, text="历史遗留，不予处理", closes=True
        )
        case.refresh_from_db()
        assert (case.state, case.close_reason) == (State.CLOSED, Case.CloseReason.MEETING)


@pytest.mark.django_db
def test_calendar_change_recomputes_open_deadlines_not_yet_passed(estate, company, town_staff):
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        case = receive(estate, "C01")
        # Community level, 5 working days: acceptance passed (29 May), reply due 4 June.
        passed = receive(estate, "C11", at=sh(2026, 5, 28, 10))
        passed_accept = open_assignment(passed).accept_due
        changed = services.calendar_day_set(
            date=D(2026, 6, 3), is_workday=False, note="x", by=town_staff
        )
    assert changed == 2  # the passed acceptance stays; its reply deadline had not passed
    assignment = open_assignment(case)
    assert assignment.accept_due == end_of(D(2026, 6, 2))
    assert assignment.reply_due == end_of(D(2026, 6, 5))
    assert open_assignment(passed).accept_due == passed_accept == end_of(D(2026, 5, 29))
    assert open_assignment(passed).reply_due == end_of(D(2026, 6, 5))
    assert case.events.filter(kind=CaseEvent.Kind.DEADLINES_RECOMPUTED).count() == 1


@pytest.mark.django_db
def test_hourly_task_escalates_flags_and_closes_in_one_idempotent_pass(estate, company, manager):
    from deliberation.cases.tasks import cases_hourly_task

    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        overdue = receive(estate, "C01")
        replied = receive(estate, "C02", source=Case.Source.HOTLINE, ticket="R1")
        services.case_reply(case=replied, by=manager, text="已处理")
    with time_machine.travel(sh(2026, 6, 5, 3), tick=False):
        assert cases_hourly_task() == {"escalated": 1, "flagged": 0, "closed_unrated": 1}
        assert cases_hourly_task() == {"escalated": 0, "flagged": 0, "closed_unrated": 0}
    overdue.refresh_from_db()
    assert overdue.level == Level.COMMUNITY


@pytest.mark.django_db
def test_case_becomes_a_council_proposal_keeping_the_link(
    estate, company, resident, community_staff
):
    from deliberation.factories import CouncilFactory

    council = CouncilFactory(estate=estate)
    case = receive(estate, "C11", reporter=resident, title="更换外墙需动用维修资金")
    proposal = services.case_to_proposal(case=case, by=community_staff)
    case.refresh_from_db()
    assert case.proposal == proposal and proposal.council == council
    assert (proposal.proposer, proposal.title) == (resident, "更换外墙需动用维修资金")
    with pytest.raises(ValidationError):
        services.case_to_proposal(case=case, by=community_staff)


@pytest.mark.django_db
def test_figures_count_on_time_replies_overdue_satisfaction_reopened_and_misroutes(
    estate, company, manager, community_staff, resident
):
    from deliberation.cases.selectors import town_figures

    town = estate.community.town
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        happy = receive(estate, "C01", reporter=resident)
        services.case_reply(case=happy, by=manager, text="ok")
        services.case_rate(case=happy, by=resident, rating=5)
        unhappy = receive(estate, "C02", reporter=resident)
        services.case_reply(case=unhappy, by=manager, text="ok")
        services.case_rate(case=unhappy, by=resident, rating=1)
        misrouted = receive(estate, "C03")
        services.case_return(case=misrouted, by=manager, reason="非本单位")
        services.case_reassign(case=misrouted, by=community_staff, level=Level.COMMUNITY,
                               community=estate.community)  # fmt: skip
        late = receive(estate, "C06")
        kept = receive(estate, "C08")
        dup = receive(estate, "C08")
        services.case_merge(duplicate=dup, into=kept, by=community_staff)
    with time_machine.travel(sh(2026, 6, 5, 10), tick=False):
        services.case_reply(case=late, by=manager, text="迟复")
        figures = town_figures(town_id=town.pk, start=sh(2026, 6, 1), end=sh(2026, 7, 1))
    assert figures == {
        "received": 5,  # the merged duplicate counts once, with its kept case
        "replied_on_time": 2,
        "overdue_now": 1,  # the kept parking case, estate reply due 4 June
        "rated": 2,
        "satisfied": 1,
        "reopened": 1,
        "misrouted": 1,
        "closed": 2,  # the 5-star case and the merged duplicate
    }


@pytest.mark.django_db
def test_escalation_pass_skips_a_case_whose_category_names_no_department(estate, company):
    town_category = category(estate.community.town, "C04")  # community first, then town
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        stuck = receive(estate, "C04")
        other = receive(estate, "C01")
    town_category.department = None
    town_category.save()
    with time_machine.travel(sh(2026, 6, 20, 10), tick=False):
        assert services.escalate_overdue() == 2  # the other case: estate -> community -> town
    assert open_assignment(stuck).level == Level.COMMUNITY
    other.refresh_from_db()
    assert other.level == Level.TOWN
