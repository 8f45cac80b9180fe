"""API representations. No personal data (names, rooms, phones) leaves through them (PIPL):
a proposal shows its estate, never its proposer; `is_mine` tells the caller their own."""

from rest_framework import serializers

from ..models import (
    AgendaItem,
    Category,
    Proposal,
    ProposalTransition,
    Resolution,
    Session,
    Vote,
    validate_single_line,
)


class ProposalSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="estate.name", read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    is_mine = serializers.SerializerMethodField()
    resolution = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "estate",
            "title",
            "description",
            "category",
            "is_important",
            "state",
            "outcome",
            "support_count",
            "is_mine",
            "submitted_at",
            "decided_at",
            "closing_note",
            "resolution",
        ]
        read_only_fields = [
            "is_important",
            "state",
            "outcome",
            "submitted_at",
            "decided_at",
            "closing_note",
        ]

    def get_is_mine(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and obj.proposer_id == request.user.pk)

    def get_resolution(self, obj) -> str | None:
        resolution = getattr(obj, "resolution", None) if obj.outcome == "passed" else None
        return resolution.text if resolution else None


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, validators=[validate_single_line])
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, allow_empty=True, max_length=10
    )


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalTransition
        fields = ["from_state", "to_state", "at", "reason"]


class ProposalDetailSerializer(ProposalSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    rounds = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "rounds", "transitions"]

    def get_rounds(self, obj) -> int:
        return obj.agenda_items.count()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SupportResultSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    state = serializers.CharField()
    support_count = serializers.IntegerField()


class AgendaItemSerializer(serializers.ModelSerializer):
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    resolution = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "proposal",
            "proposal_title",
            "round_number",
            "kind",
            "result",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "present",
            "members",
            "resolution",
        ]

    def get_resolution(self, obj) -> str | None:
        try:
            return obj.resolution.text
        except Resolution.DoesNotExist:
            return None


class SessionSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="council.estate.name", read_only=True)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "estate", "date", "place", "status", "item_count"]


class SessionDetailSerializer(SessionSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "minutes", "agenda"]


class VoteInputSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)


class VoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "agenda_item", "choice", "at"]


class PublicResolutionSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="proposal.estate.name")
    community = serializers.CharField(source="proposal.estate.community.name")
    proposal_title = serializers.CharField(source="proposal.title")
    session_date = serializers.DateField(source="agenda_item.session.date")

    class Meta:
        model = Resolution
        fields = ["id", "community", "estate", "proposal", "proposal_title", "text", "session_date"]
