"""Demo cases for the Lishui demo town (called from deliberation/demo.py's load).

The town's departments and default responsibility list, a department account `department`
(same password as the other demo accounts: its hash is copied from the `staff` account), and a
year of cases across every delivered estate, every category and every source, generated with a
seeded random generator and bulk-created as the services would have left them: deadlines from
the working-day calendar, an overdue reply escalated at its missed deadline, a rating of 1-2
reopened one level up, joint meetings with decisions that became assignments (some now
overdue and flagged). A second load changes nothing (cases are created only when the town has
no demo case).
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from communities.departments import Department
from communities.models import Estate, Household, ServiceContract, User

from . import deadlines
from .models import (
    NEXT_LEVEL,
    Assignment,
    Case,
    CaseCategory,
    CaseEvent,
    JointMeeting,
    Level,
    MeetingDecision,
    Reply,
)
from .services import (
    escalate_overdue,
    first_handlers_fill,
    responsibility_list_ensure,
    settings_for,
)

SEED = 12
CASES_PER_ESTATE = 38  # 43 delivered estates: about 1,630 cases
TITLES = {
    "C01": ["保安夜间脱岗", "物业服务态度差", "公共区域保洁不到位"],
    "C02": ["垃圾清运不及时", "垃圾分类点异味", "绿化带积存垃圾"],
    "C03": ["电梯经常停运", "二次供水水压不足", "单元门禁损坏"],
    "C04": ["楼上漏水邻里纠纷", "公共走道堆物纠纷"],
    "C05": ["顶楼违章加建", "首层私自围院"],
    "C06": ["消防通道被占用", "楼道电动车充电"],
    "C07": ["夜间广场舞噪音", "临街酒吧噪音扰民"],
    "C08": ["小区门口乱停车", "充电车位被占"],
    "C09": ["遛狗不牵绳", "犬只夜间吠叫"],
    "C10": ["疑似群租房", "出租屋人员频繁进出"],
    "C11": ["维修资金使用申请", "外墙渗水维修"],
    "C99": ["路灯不亮", "建议增设休闲座椅"],
}
SOURCES = ["visit", "building_head", "company", "hotline", "staff", "api", "portal"]
SURNAMES = "陈李黄张梁何吴林罗郭"


def _ensure_department_account(town, users) -> User:
    department = Department.objects.get(town=town, name="住建办")
    staff = users["staff"]
    user, _created = User.objects.get_or_create(
        username="department",
        defaults={
            "role": User.Role.DEPARTMENT_STAFF,
            "display_name": "镇住建办 周工",
            "town": town,
        },
    )
    if user.password != staff.password:
        user.password = staff.password  # the same password as the other demo accounts
        user.save(update_fields=["password"])
    department.staff.add(user)
    return user


class _Builder:
    """Builds one town's cases in memory, then writes them in a few bulk inserts."""

    def __init__(self, town, users, now):
        self.town = town
        self.now = now
        self.rng = random.Random(SEED)  # noqa: S311  # nosec B311: demo data, not a secret
        self.settings = settings_for(town.pk)
        start = timezone.localdate(now) - datetime.timedelta(days=380)
        self.calendar = deadlines.Calendar.load(start, start + datetime.timedelta(days=460))
        self.categories = list(CaseCategory.objects.filter(town=town).order_by("code"))
        self.departments = list(Department.objects.filter(town=town).order_by("name"))
        self.staff = users["staff"]
        self.community_staff = users["community"]
        self.manager = users["manager"]
        self.department_user = users["department"]
        self.resident = users["resident"]
        self.contracts: dict[int, list] = {}
        for c in ServiceContract.objects.filter(estate__community__town=town).order_by(
            "valid_from"
        ):
            self.contracts.setdefault(c.estate_id, []).append(c)
        self.cases, self.timelines = [], []

    # --- deadlines and handlers (as services._assign computes them) --------------------------

    def deadlines(self, level, at, urgent):
        if urgent:
            return (
                at + datetime.timedelta(hours=self.settings.urgent_accept_hours),
                at + datetime.timedelta(hours=self.settings.urgent_reply_hours),
            )
        accept = deadlines.workdays_deadline(at, self.settings.accept_days, calendar=self.calendar)
        reply = deadlines.workdays_deadline(
            at, self.settings.reply_days(level), calendar=self.calendar
        )
        return accept, reply

    def handler(self, estate, category, level, at):
        if level == Level.ESTATE:
            on = timezone.localdate(at)
            for c in reversed(self.contracts.get(estate.pk, [])):
                if c.valid_from <= on and (c.valid_to is None or c.valid_to >= on):
                    return Level.ESTATE, {"company_id": c.company_id}
            level = Level.COMMUNITY
        if level == Level.COMMUNITY:
            return level, {"community_id": estate.community_id}
        if level == Level.TOWN:
            return level, {"department_id": category.department_id}
        return Level.JOINT_MEETING, None

    def rand_after(self, at, low_hours, high_hours):
        return at + datetime.timedelta(minutes=self.rng.randint(low_hours * 60, high_hours * 60))

    # --- one case -------------------------------------------------------------------------------

    def case(self, estate, households, index):
        rng = self.rng
        category = self.categories[index % len(self.categories)]
        days_ago = rng.randint(0, 364)
        received = timezone.localtime(self.now) - datetime.timedelta(
            days=days_ago, hours=rng.randint(0, 12), minutes=rng.randint(0, 59)
        )
        received = min(received, self.now - datetime.timedelta(minutes=5))
        source = SOURCES[index % len(SOURCES)]
        if source == "portal" and estate.name != "糖果雅苑":
            source = "staff"
        household = rng.choice(households) if households else None
        urgent = category.code in ("C06", "C03") and rng.random() < 0.15
        case = Case(
            town=self.town,
            estate=estate,
            building_id=household.building_id if household else None,
            household=household,
            category=category,
            title=rng.choice(TITLES.get(category.code, TITLES["C99"])),
            description="演示诉求。",
            source=source,
            reporter=self.resident if source == "portal" else None,
            received_at=received,
            urgent=urgent,
            level=category.first_level,
            state=Case.State.ASSIGNED,
            is_demo=True,
        )
        if source == "hotline":
            case.ticket = f"12345-{received:%Y%m%d}-{len(self.cases):05d}"
            case.caller_name = f"{rng.choice(SURNAMES)}先生"
            case.caller_phone = f"138{rng.randint(0, 99999999):08d}"
        timeline = {"assignments": [], "events": [("received", received, "", "", "received")]}
        self._run(case, timeline, estate, category)
        self.cases.append(case)
        self.timelines.append(timeline)

    def _assign(self, case, timeline, estate, category, level, at, *, misroute=False, kind="assigned",
                reason="", from_state="received"):  # fmt: skip
        level, handler = self.handler(estate, category, level, at)
        case.level = level
        if handler is None:
            case.state = Case.State.RECEIVED  # on the joint meeting's agenda
            timeline["events"].append((kind, at, reason, from_state, "received"))
            return None
        accept_due, reply_due = self.deadlines(level, at, case.urgent)
        a = {"level": level, "assigned_at": at, "accept_due": accept_due, "reply_due": reply_due,
             "misroute": misroute, **handler}  # fmt: skip
        timeline["assignments"].append(a)
        case.state = Case.State.ASSIGNED
        timeline["events"].append((kind, at, reason, from_state, "assigned", a))
        return a

    def _run(self, case, timeline, estate, category):
        rng = self.rng
        at = case.received_at
        a = self._assign(case, timeline, estate, category, category.first_level, at)
        roll = rng.random()
        reopened = False
        while True:
            if a is None:  # at the joint meeting: decided later by a demo meeting
                timeline["meeting"] = at
                return
            acc_at = self.rand_after(a["assigned_at"], 1, 30)
            if roll < 0.05 and a["level"] == Level.ESTATE and acc_at < self.now:
                # misroute: returned within its acceptance deadline, reassigned to the community
                back = min(self.rand_after(a["assigned_at"], 1, 6), a["accept_due"])
                if back < self.now:
                    a.update(ended_at=back, end="returned", return_reason="不属于物业职责")
                    timeline["events"].append(
                        ("returned", back, "不属于物业职责", "assigned", "received", a)
                    )
                    case.state = Case.State.RECEIVED
                    at = self.rand_after(back, 1, 4)
                    if at >= self.now:
                        return
                    level, handler = self.handler(estate, category, Level.COMMUNITY, at)
                    accept_due, reply_due = self.deadlines(level, at, case.urgent)
                    a = {"level": level, "assigned_at": at, "accept_due": accept_due,
                         "reply_due": reply_due, "misroute": True, **handler}  # fmt: skip
                    timeline["assignments"].append(a)
                    case.level, case.state = level, Case.State.ASSIGNED
                    timeline["events"].append(
                        ("reassigned", at, "改派社区", "received", "assigned", a)
                    )
                    roll = 0.5
                    continue
            if acc_at >= self.now:
                return  # still waiting for acceptance
            a["accepted_at"] = acc_at
            a["accepted_late"] = acc_at > a["accept_due"]
            case.state = Case.State.ACCEPTED
            timeline["events"].append(("accepted", acc_at, "", "assigned", "accepted", a))
            overdue_path = roll > 0.88 and a["level"] != Level.JOINT_MEETING
            if overdue_path:
                if a["reply_due"] >= self.now:
                    return  # open, not yet due
                a.update(ended_at=a["reply_due"], end="auto_escalated")
                at = a["reply_due"]
                a = self._assign(case, timeline, estate, category, NEXT_LEVEL[a["level"]], at,
                                 kind="auto_escalated", reason="回复期限已过。",
                                 from_state="accepted")  # fmt: skip
                roll = rng.random() * 0.8
                continue
            span = (a["reply_due"] - a["assigned_at"]).total_seconds() / 3600
            reply_at = self.rand_after(a["assigned_at"], 2, max(3, int(span * 0.8)))
            if reply_at >= self.now:
                return
            a.update(ended_at=reply_at, end="replied", reply_at=reply_at)
            case.state, case.replied_at = Case.State.REPLIED, reply_at
            timeline["events"].append(("replied", reply_at, "", "accepted", "replied", a))
            rating_due = deadlines.workdays_deadline(
                reply_at, self.settings.rating_days, calendar=self.calendar
            )
            r = rng.random()
            if r < 0.2:  # not rated
                if rating_due < self.now:
                    case.state, case.closed_at, case.close_reason = (
                        "closed",
                        rating_due,
                        "not_rated",
                    )
                    timeline["events"].append(
                        ("closed", rating_due, "逾期未评价。", "replied", "closed")
                    )
                else:
                    case.rating_due = rating_due
                return
            rated_at = self.rand_after(reply_at, 1, 40)
            if rated_at >= min(rating_due, self.now):
                case.rating_due = rating_due
                if rating_due < self.now:
                    case.state, case.closed_at, case.close_reason = (
                        "closed",
                        rating_due,
                        "not_rated",
                    )
                    timeline["events"].append(
                        ("closed", rating_due, "逾期未评价。", "replied", "closed")
                    )
                return
            low = r < 0.27 and not reopened and a["level"] != Level.JOINT_MEETING
            rating = rng.choice((1, 2)) if low else rng.choice((3, 4, 4, 5, 5, 5))
            case.rating, case.rated_at = rating, rated_at
            case.rated_by_callback = case.reporter_id is None
            timeline["events"].append(("rated", rated_at, str(rating), "replied", "replied"))
            if low:
                reopened = True
                case.reopened_count += 1
                at = rated_at
                a = self._assign(case, timeline, estate, category, NEXT_LEVEL[a["level"]], at,
                                 kind="reopened", reason=f"评价{rating}星。",
                                 from_state="replied")  # fmt: skip
                roll = rng.random() * 0.8
                continue
            case.state, case.closed_at, case.close_reason = "closed", rated_at, "rated"
            return

    # --- joint meetings ---------------------------------------------------------------------

    def meetings(self):
        """Cases that reached the joint meeting are decided at the next monthly meeting: most
        get a lead department and a deadline (some of them now overdue and flagged), a few are
        closed by the decision."""
        pending = sorted(
            (t["meeting"], i) for i, t in enumerate(self.timelines) if t.get("meeting")
        )
        today = timezone.localdate(self.now)
        meetings = {}
        for at, i in pending:
            day = timezone.localtime(at).date()
            month = day.replace(day=1)
            meeting_day = (month + datetime.timedelta(days=32)).replace(day=10)
            if meeting_day > today:
                continue  # still on the agenda of the next meeting
            meetings.setdefault(meeting_day, []).append(i)
        self.meeting_plan = meetings

    # --- writing ------------------------------------------------------------------------------

    @transaction.atomic
    def write(self):
        self.meetings()
        Case.objects.bulk_create(self.cases, batch_size=1000)
        staff_for = {
            Level.ESTATE: self.manager,
            Level.COMMUNITY: self.community_staff,
            Level.TOWN: self.department_user,
            Level.JOINT_MEETING: self.department_user,
        }
        decisions = []
        meeting_objs = {}
        for meeting_day, indexes in sorted(self.meeting_plan.items()):
            meeting = JointMeeting.objects.create(
                town=self.town, date=meeting_day, chair="镇长 王", recorded_by=self.staff,
                minutes=f"{meeting_day:%Y年%m月}联席会议：研究上报诉求 {len(indexes)} 件。",
            )  # fmt: skip
            meeting.departments.set(self.departments[:5])
            meeting_objs[meeting_day] = meeting
            for n, i in enumerate(indexes):
                case, timeline = self.cases[i], self.timelines[i]
                at = datetime.datetime.combine(
                    meeting_day, datetime.time(15), tzinfo=deadlines.SHANGHAI
                )
                if n % 4 == 3:
                    case.state, case.closed_at, case.close_reason = "closed", at, "meeting"
                    timeline["events"].append(
                        (
                            "meeting_decision",
                            at,
                            "经研究，予以解释说明后办结。",
                            "received",
                            "closed",
                        )
                    )
                    decisions.append((meeting, case, True, None, None, None))
                    continue
                lead = case.category.department_id or self.departments[0].pk
                due = meeting_day + datetime.timedelta(days=20)
                reply_due = datetime.datetime.combine(
                    due, deadlines.END_OF_DAY, tzinfo=deadlines.SHANGHAI
                )
                a = {"level": Level.JOINT_MEETING, "assigned_at": at,
                     "accept_due": min(self.deadlines(Level.TOWN, at, False)[0], reply_due),
                     "reply_due": reply_due, "misroute": False, "department_id": lead}  # fmt: skip
                timeline["assignments"].append(a)
                case.state = Case.State.ASSIGNED
                timeline["events"].append(
                    ("meeting_decision", at, "牵头部门限期办理。", "received", "assigned", a)
                )
                if n % 3 == 0 and reply_due < self.now:
                    a["overdue_flagged_at"] = reply_due + datetime.timedelta(hours=1)
                    timeline["events"].append(
                        (
                            "overdue_flagged",
                            a["overdue_flagged_at"],
                            "联席会议交办逾期。",
                            "assigned",
                            "assigned",
                            a,
                        )
                    )
                else:
                    reply_at = at + datetime.timedelta(days=12)
                    if reply_at < self.now:
                        a.update(accepted_at=at + datetime.timedelta(hours=20), accepted_late=False,
                                 ended_at=reply_at, end="replied", reply_at=reply_at)  # fmt: skip
                        case.state, case.replied_at = "closed", reply_at
                        case.closed_at, case.close_reason = reply_at, "not_rated"
                        timeline["events"].append(
                            ("replied", reply_at, "", "assigned", "replied", a)
                        )
                        timeline["events"].append(
                            (
                                "closed",
                                reply_at + datetime.timedelta(days=5),
                                "逾期未评价。",
                                "replied",
                                "closed",
                            )
                        )
                decisions.append((meeting, case, False, lead, due, a))
        Case.objects.bulk_update(
            self.cases,
            ["level", "state", "replied_at", "rating_due", "closed_at", "close_reason"],
            batch_size=1000,
        )
        assignments = []
        for case, timeline in zip(self.cases, self.timelines, strict=True):
            for a in timeline["assignments"]:
                obj = Assignment(
                    case=case,
                    level=a["level"],
                    company_id=a.get("company_id"),
                    community_id=a.get("community_id"),
                    department_id=a.get("department_id"),
                    assigned_at=a["assigned_at"],
                    assigned_by=self.staff
                    if a["misroute"] or a["level"] == Level.JOINT_MEETING
                    else None,
                    accept_due=a["accept_due"],
                    reply_due=a["reply_due"],
                    accepted_at=a.get("accepted_at"),
                    accepted_late=a.get("accepted_late", False),
                    misroute=a["misroute"],
                    return_reason=a.get("return_reason", ""),
                    ended_at=a.get("ended_at"),
                    end=a.get("end", ""),
                    overdue_flagged_at=a.get("overdue_flagged_at"),
                )
                a["obj"] = obj
                assignments.append(obj)
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        first_handlers_fill(cases=Case.objects.filter(pk__in=[c.pk for c in self.cases]))
        replies, events = [], []
        for case, timeline in zip(self.cases, self.timelines, strict=True):
            for a in timeline["assignments"]:
                if a.get("reply_at"):
                    replies.append(Reply(case=case, assignment=a["obj"], text="已处理完毕，详见现场照片。",
                                         by=staff_for[a["level"]], at=a["reply_at"],
                                         on_time=a["reply_at"] <= a["reply_due"]))  # fmt: skip
            for kind, at, reason, from_state, to_state, *rest in timeline["events"]:
                events.append(CaseEvent(case=case, kind=kind, at=at, reason=reason,
                                        from_state=from_state, to_state=to_state,
                                        assignment=rest[0]["obj"] if rest else None))  # fmt: skip
        Reply.objects.bulk_create(replies, batch_size=1000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        MeetingDecision.objects.bulk_create(
            MeetingDecision(
                meeting=meeting,
                case=case,
                closes=closes,
                text="经研究予以办结。" if closes else "牵头部门限期办理。",
                lead_department_id=lead,
                due_date=due,
                assignment=a["obj"] if a else None,
            )  # fmt: skip
            for meeting, case, closes, lead, due, a in decisions
        )
        return len(self.cases)


def load(*, town, users: dict, stdout=None, now=None) -> int:
    responsibility_list_ensure(town=town)
    users = {**users, "department": _ensure_department_account(town, users)}
    if Case.objects.filter(town=town, is_demo=True, source__in=SOURCES).exists():
        return 0
    now = now or timezone.now()
    builder = _Builder(town, users, now)
    estates = list(
        Estate.objects.for_town(town).delivered_on(timezone.localdate(now)).order_by("name")
    )
    by_estate: dict[int, list] = {}
    for h in Household.objects.filter(building__estate__in=estates).select_related("building"):
        by_estate.setdefault(h.building.estate_id, []).append(h)
    for estate in estates:
        pool = sorted(by_estate.get(estate.pk, []), key=lambda h: h.pk)[:40]
        for i in range(CASES_PER_ESTATE):
            builder.case(estate, pool, i + estate.pk)
    count = builder.write()
    # A generated case whose deadline has passed by now is where the hourly pass would have
    # taken it: settle the generated year so the demo matches what the services leave.
    escalate_overdue(
        now=now,
        cases=Case.objects.filter(town=town, is_demo=True).exclude(source=Case.Source.PROPOSAL),
    )
    if stdout is not None:
        stdout.write(f"Cases: {count} demo cases over the last year.")
    return count
