"""Demo data for deliberation: round-table councils in 7 pilot estates (five named in the
reports: 海纳公馆, 海逸锦绣蓝湾, 悦园小区, 中恒海晖, 糖果雅苑; 金沙里 and 时代家 added), with
representatives, standing parties, the five steps, sessions, and proposals in every state,
including 糖果雅苑's falling facade tiles settled after 12 rounds of consultation.

Idempotent: councils, steps, members and residents are get_or_create on natural keys, and a
council's proposals and sessions are created only when it has no demo proposal yet. Everything
moves through deliberation.services, so the history is the same as real use would leave."""

import datetime

from django.db.models import F
from django.utils import timezone

from communities.models import Estate, Household, ResidentVerification, User

from . import services
from .cases.models import Case
from .models import (
    AgendaItem,
    Council,
    CouncilStep,
    FollowUpAction,
    Proposal,
    ProposalTransition,
    Representative,
    Session,
    StandingParty,
    Support,
)

PILOT_ESTATES = ["糖果雅苑", "海纳公馆", "海逸锦绣蓝湾", "悦园小区", "中恒海晖", "金沙里", "时代家"]
TERM_START = datetime.date(2021, 3, 1)
STEPS = [
    (CouncilStep.Step.ATMOSPHERE, datetime.date(2021, 1, 10), "楼栋宣传、入户走访，征集居民关切。"),
    (CouncilStep.Step.TEAM, datetime.date(2021, 2, 1), "每栋推选一名楼栋议事代表。"),
    (CouncilStep.Step.PLATFORM, datetime.date(2021, 2, 20), "党群服务站设圆桌议事室，线上同步。"),
    (CouncilStep.Step.RULES, datetime.date(2021, 3, 1), "议事规则：三分之二代表到会，过半数通过。"),
    (
        CouncilStep.Step.FOLLOW_THROUGH,
        datetime.date(2021, 4, 1),
        "决议事项明确责任方和时限，逐项跟踪。",
    ),
]
STANDING = [
    (StandingParty.Kind.PARTY_BRANCH, "李书记", "小区党支部书记"),
    (StandingParty.Kind.RESIDENTS_COMMITTEE, "陈主任", "社区居委会委员"),
    (StandingParty.Kind.OWNERS_COMMITTEE, "黄主任", "业委会主任"),
    (StandingParty.Kind.PROPERTY_COMPANY, "周经理", "物业项目经理"),
    (StandingParty.Kind.SOCIAL_ORGANISATION, "梁社工", "社工服务站社工"),
]


def _resident(estate: Estate, building: str, room: str, approver: User) -> User:
    """A demo resident verified to a household; cannot log in (unusable password)."""
    household = Household.objects.get(building__estate=estate, building__name=building, room=room)
    username = f"demo-{estate.pk}-{building.rstrip('栋')}-{room}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": User.Role.RESIDENT,
            "town": estate.community.town,
            "display_name": f"{estate.name}{building}{room}住户",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not ResidentVerification.objects.current().filter(user=user).exists():
        ResidentVerification.objects.create(
            user=user,
            household=household,
            status=ResidentVerification.Status.APPROVED,
            resident_name=f"{building}{room}住户",
            decided_by=approver,
            decided_at=timezone.now(),
            reason="demo",
        )
    return user


def _council(estate: Estate, users: dict) -> Council:
    council, _created = Council.objects.get_or_create(
        estate=estate,
        defaults={
            "name": f"{estate.name}融和圆桌议事会",
            "is_demo": True,
            "publishes_resolutions": estate.name in ("糖果雅苑", "海纳公馆", "中恒海晖"),
        },
    )
    for step, date, note in STEPS:
        CouncilStep.objects.get_or_create(
            council=council, step=step, defaults={"date": date, "note": note}
        )
    for kind, person, role in STANDING:
        StandingParty.objects.get_or_create(
            council=council, kind=kind, person_name=person, defaults={"role": role}
        )
    for n in range(1, 9):
        building = f"{n}栋"
        if estate.name == "糖果雅苑" and n == 2:
            user = users["representative"]
        else:
            user = _resident(estate, building, "301", users["staff"])
        Representative.objects.get_or_create(
            council=council,
            user=user,
            term_start=TERM_START,
            defaults={
                "building": estate.buildings.get(name=building),
                "display_name": f"{building}议事代表",
            },
        )
    return council


def _supporters(estate: Estate, users: dict, n: int, building: str = "5栋") -> list[User]:
    """Residents of rooms 401..405, 501..505 of `building` (households have 5 rooms a floor)."""
    rooms = [f"{4 + i // 5}0{i % 5 + 1}" for i in range(n)]
    return [_resident(estate, building, room, users["staff"]) for room in rooms]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _backdate(proposal: Proposal, when: dict[str, list[datetime.date] | datetime.date]) -> None:
    """Give a demo proposal's history real dates (to_state -> date, or dates in order when a
    state is reached twice), so the dashboard has real durations and the history reads true."""
    queues = {state: list(d) if isinstance(d, list) else [d] for state, d in when.items()}
    for transition in proposal.transitions.order_by("at", "pk"):
        queue = queues.get(transition.to_state)
        if not queue:
            continue
        at = _at(queue.pop(0) if len(queue) > 1 else queue[0])
        ProposalTransition.objects.filter(pk=transition.pk).update(at=at)
        if transition.to_state == Proposal.State.DRAFT:
            Proposal.objects.filter(pk=proposal.pk).update(created_at=at)
        if transition.to_state == Proposal.State.SUBMITTED:
            Proposal.objects.filter(pk=proposal.pk).update(submitted_at=at)
        if transition.to_state in (Proposal.State.ACCEPTED, Proposal.State.REJECTED):
            Proposal.objects.filter(pk=proposal.pk).update(decided_at=at)
        if transition.to_state == Proposal.State.DONE:
            Proposal.objects.filter(pk=proposal.pk).update(closed_at=at)
    Support.objects.filter(proposal=proposal).update(
        created_at=proposal.transitions.filter(to_state=Proposal.State.SUBMITTED).values("at")[:1]
    )


def _vote_all(session: Session, item: AgendaItem, council: Council, choices: list[str]) -> None:
    reps = list(council.active_representatives(session.date).order_by("building__name"))
    for rep, choice in zip(reps, choices, strict=False):
        services.vote_cast(agenda_item=item, representative=rep, choice=choice, entered_by=rep.user)


def _new(
    council: Council,
    by: User,
    title: str,
    description: str,
    category: str,
    supporters: list[User] = (),
) -> Proposal:
    if by.is_resident:
        proposal = services.proposal_create(
            user=by, title=title, description=description, category=category
        )
    else:
        proposal = services.proposal_from_problem(
            estate=council.estate,
            title=title,
            description=description,
            raised_by=by,
            note="入户走访发现",
        )
        Proposal.objects.filter(pk=proposal.pk).update(category=category)
        proposal.refresh_from_db()
    for supporter in supporters:
        services.proposal_support(proposal=proposal, user=supporter)
    proposal.refresh_from_db()
    return proposal


def _decide(
    council: Council,
    proposal: Proposal,
    staff: User,
    date: datetime.date,
    choices: list[str],
    resolution: str = "",
) -> AgendaItem:
    session = services.session_create(
        council=council, date=date, place="党群服务站议事室", by=staff
    )
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    _vote_all(session, item, council, choices)
    services.session_close(
        session=session,
        by=staff,
        minutes="代表充分讨论后表决。",
        resolutions={item.pk: resolution} if resolution else None,
    )
    item.refresh_from_db()
    return item


def _tiles(council: Council, users: dict) -> Proposal:
    """糖果雅苑's falling facade tiles: 11 rounds of consultation, passed in the 12th, done."""
    staff, resident = users["community"], users["resident"]
    estate = council.estate
    proposal = _new(
        council,
        resident,
        "外墙瓷砖脱落",
        "2栋、3栋外墙瓷砖多处空鼓脱落，已砸坏楼下车辆，威胁行人安全。"
        "维修需动用专项维修资金，费用分摊存在分歧。",
        "safety",
        _supporters(estate, users, 6),
    )
    notes = [
        "物业通报现场勘查情况",
        "业委会说明维修资金余额",
        "住户代表提出分摊方案",
        "请第三方检测机构评估",
        "讨论检测报告",
        "讨论维修方案A/B",
        "征集住户意见",
        "讨论资金分摊比例",
        "与开发商协商保修责任",
        "确定施工单位比选办法",
        "公示施工方案",
    ]
    for i, note in enumerate(notes):
        date = datetime.date(2021, 4, 10) + datetime.timedelta(days=30 * i)
        session = services.session_create(
            council=council, date=date, place="党群服务站议事室", by=staff
        )
        services.agenda_add(
            session=session, proposal=proposal, by=staff, kind=AgendaItem.Kind.DELIBERATE
        )
        services.session_close(session=session, by=staff, minutes=f"第{i + 1}轮协商：{note}。")
    proposal.is_important = True  # spends the maintenance fund: special majority
    proposal.save(update_fields=["is_important"])
    _decide(
        council,
        proposal,
        staff,
        datetime.date(2022, 3, 15),
        ["for"] * 7 + ["abstain"],
        "使用专项维修资金对2栋、3栋外墙进行整体维修，开发商承担保修期内部分，"
        "物业负责施工期间安全围蔽。",
    )
    for description, party, due in [
        ("搭设安全围蔽和警示标识", "物业服务中心", datetime.date(2022, 3, 25)),
        ("外墙整体维修施工", "施工单位", datetime.date(2022, 7, 30)),
        ("竣工验收并公示费用", "业委会", datetime.date(2022, 8, 20)),
    ]:
        action = services.followup_add(
            proposal=proposal,
            description=description,
            responsible_party=party,
            due_date=due,
            by=staff,
        )
        services.followup_complete(action=action, by=staff)
    services.proposal_close(
        proposal=proposal,
        by=staff,
        closing_note="经12轮协商，外墙维修于2022年8月完工验收，费用已公示。",
    )
    services.outcome_rate(
        proposal=proposal, user=resident, stars=5, comment="历时一年多终于解决，感谢各方。"
    )
    d = datetime.date
    _backdate(
        proposal,
        {
            "draft": d(2021, 3, 20),
            "submitted": d(2021, 3, 20),
            "accepted": d(2021, 3, 27),
            "scheduled": d(2021, 4, 10),
            "decided": d(2022, 3, 15),
            "implementing": d(2022, 3, 16),
            "done": d(2022, 8, 25),
        },
    )
    for action in proposal.follow_ups.all():
        FollowUpAction.objects.filter(pk=action.pk).update(
            created_at=_at(d(2022, 3, 16)), done_at=_at(action.due_date, 17)
        )
    Session.objects.filter(agenda__proposal=proposal).update(closed_at=F("date"))
    return proposal


def _tangguo(council: Council, users: dict) -> None:
    staff, resident = users["community"], users["resident"]
    estate = council.estate
    _tiles(council, users)
    # Submitted, waiting for supports (the demo resident's own).
    _new(
        council,
        resident,
        "地下车库照明不足",
        "B区车库多盏灯不亮，夜间停车不便。",
        "parking",
        _supporters(estate, users, 2, "6栋"),
    )
    # A draft of the demo resident.
    services.proposal_create(
        user=resident,
        title="增加儿童游乐设施",
        description="中心花园无儿童游乐设施。",
        category="neighbourhood",
        submit=False,
    )
    # An open session for the demo representative to vote in.
    charging = _new(
        council,
        _supporters(estate, users, 1, "7栋")[0],
        "增设电动车集中充电桩",
        "电动车在楼道充电存在火灾隐患，建议在1栋旁增设集中充电棚。",
        "safety",
        _supporters(estate, users, 5, "4栋"),
    )
    today = timezone.localdate()
    session = services.session_create(
        council=council, date=today, place="党群服务站议事室", by=staff
    )
    item = services.agenda_add(session=session, proposal=charging, by=staff)
    services.session_open(session=session, by=staff)
    reps = [
        r
        for r in council.active_representatives(today).order_by("building__name")
        if r.user_id != users["representative"].pk
    ]
    for rep, choice in zip(reps[:4], ["for", "for", "against", "for"], strict=True):
        services.vote_cast(agenda_item=item, representative=rep, choice=choice, entered_by=rep.user)
    # Escalated to the community, overdue.
    noise = _new(
        council,
        _supporters(estate, users, 1, "8栋")[0],
        "临街酒吧夜间噪音扰民",
        "小区东侧商铺酒吧营业至凌晨，噪音严重。",
        "environment",
        _supporters(estate, users, 5, "3栋"),
    )
    services.proposal_escalate(
        proposal=noise,
        by=staff,
        reason="涉及商铺经营，小区层面无法协调。",
        # Escalated nine days ago: its community reply deadline (5 working days) has passed.
        at=_at(today - datetime.timedelta(days=9)),
    )
    _backdate(
        noise,
        {
            "draft": today - datetime.timedelta(days=20),
            "submitted": today - datetime.timedelta(days=20),
            "accepted": today - datetime.timedelta(days=16),
            "escalated": today - datetime.timedelta(days=9),
        },
    )


def _generic(council: Council, users: dict, index: int) -> None:
    """Proposals in every state, spread over the other pilot estates."""
    staff = users["staff"]
    estate = council.estate
    proposer = _resident(estate, "1栋", "102", staff)
    people = _supporters(estate, users, 5)
    plans = {
        0: ["rejected", "withdrawn", "implementing"],
        1: ["decided_not_passed", "scheduled", "done"],
        2: ["escalated_town", "accepted", "submitted"],
        3: ["implementing", "withdrawn", "rejected"],
        4: ["done", "accepted", "escalated_town"],
        5: ["scheduled", "submitted", "decided_not_passed"],
    }[index % 6]
    titles = {
        "rejected": ("要求物业免除全年物业费", "fees"),
        "withdrawn": ("楼顶加装太阳能热水器", "facilities"),
        "implementing": ("小区主干道增设减速带", "parking"),
        "decided_not_passed": ("拆除中心花园改建停车位", "parking"),
        "scheduled": ("垃圾分类投放点迁移", "environment"),
        "done": ("更换单元门门禁系统", "facilities"),
        "escalated_town": ("小区周边道路积水", "facilities"),
        "accepted": ("增设快递智能柜", "property_service"),
        "submitted": ("加装电梯意见征集", "facilities"),
    }
    for n, target in enumerate(plans):
        title, category = titles[target]
        supporters = [] if target in ("submitted", "withdrawn", "rejected") else people
        proposal = _new(
            council, proposer, title, f"{estate.name}住户反映：{title}。", category, supporters
        )
        session_date = timezone.localdate() - datetime.timedelta(days=40 + 10 * n)
        if target == "rejected":
            services.proposal_reject(
                proposal=proposal, by=staff, reason="物业费由业主大会决定，不属于议事会范围。"
            )
        elif target == "withdrawn":
            services.proposal_withdraw(proposal=proposal, by=proposer, reason="已与邻居协商解决。")
        elif target == "scheduled":
            session = services.session_create(
                council=council, date=session_date, place="小区会所", by=staff
            )
            services.agenda_add(
                session=session, proposal=proposal, by=staff, kind=AgendaItem.Kind.DELIBERATE
            )
            services.session_close(session=session, by=staff, minutes="首轮协商，待补充方案。")
        elif target == "decided_not_passed":
            _decide(
                council, proposal, staff, session_date, ["against"] * 5 + ["for"] * 2 + ["abstain"]
            )
        elif target in ("implementing", "done", "escalated_town"):
            _decide(
                council,
                proposal,
                staff,
                session_date,
                ["for"] * 6 + ["against"] * 2,
                f"同意{title}，由物业牵头落实。",
            )
            action = services.followup_add(
                proposal=proposal,
                description=f"{title}：制定方案并实施",
                responsible_party="物业服务中心",
                due_date=timezone.localdate()
                + datetime.timedelta(days=20 - 30 * (target == "implementing")),
                by=staff,
            )
            if target == "done":
                services.followup_complete(action=action, by=staff)
                services.proposal_close(
                    proposal=proposal, by=staff, closing_note=f"{title}已完成。"
                )
                services.outcome_rate(proposal=proposal, user=proposer, stars=4)
            if target == "escalated_town":
                services.proposal_escalate(
                    proposal=proposal, by=staff, reason="需市政排水改造，社区无法解决。"
                )
                services.proposal_escalate(
                    proposal=proposal, by=staff, reason="社区协调后仍需镇相关部门处理。"
                )
        days = datetime.timedelta
        start = session_date - days(days=21 + 4 * index)
        _backdate(
            proposal,
            {
                "draft": start,
                "submitted": start,
                "accepted": start + days(days=2 + index),
                "rejected": start + days(days=5 + index),
                "withdrawn": start + days(days=3),
                "scheduled": session_date - days(days=7),
                "decided": session_date,
                "implementing": session_date + days(days=2),
                "escalated": [session_date + days(days=15), session_date + days(days=25)],
                "done": session_date + days(days=30),
            },
        )


def load(*, town, users: dict, stdout=None) -> None:
    for index, name in enumerate(PILOT_ESTATES):
        estate = Estate.objects.for_town(town).get(name=name)
        council = _council(estate, users)
        if council.proposals.filter(is_demo=True).exists():
            continue
        before = set(council.proposals.values_list("pk", flat=True))
        if name == "糖果雅苑":
            _tangguo(council, users)
        else:
            _generic(council, users, index - 1)
        council.proposals.exclude(pk__in=before).update(is_demo=True)
        Case.objects.filter(proposal__council=council, proposal__is_demo=True).update(is_demo=True)
    from .cases import demo as cases_demo

    cases_demo.load(town=town, users=users, stdout=stdout)
    today = timezone.localdate()
    services.problem_estates_compute(town=town, year=today.year, quarter=(today.month - 1) // 3 + 1)
    if stdout is not None:
        councils = Council.objects.filter(estate__community__town=town)
        stdout.write(
            f"Deliberation: {councils.count()} councils, "
            f"{Proposal.objects.filter(council__in=councils).count()} proposals, "
            f"{Session.objects.filter(council__in=councils).count()} sessions."
        )
