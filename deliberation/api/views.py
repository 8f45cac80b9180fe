"""REST API for a mobile or mini-program client, scoped to the caller's estate and council."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.idempotency import IdempotentMixin

from .. import rules, services
from .. import rules as delib_permissions
from ..councils import selectors as council_selectors
from ..models import AgendaItem, Proposal, Session
from ..sessions import selectors as session_selectors
from . import serializers as s


def drf_error(error):
    """Django's ValidationError / PermissionDenied as DRF's 400 / 403 with field messages."""
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(error) or None)
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def _proposals_for(user):
    if delib_permissions.is_resident(user):
        return council_selectors.proposals_for_resident(user)
    return council_selectors.proposals_for_staff(user)


class ProposalViewSet(
    IdempotentMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals of the caller's estate (residents) or of the councils they manage (staff)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["state", "category"]
    search_fields = ["title"]
    ordering_fields = ["submitted_at", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        qs = _proposals_for(self.request.user).select_related("resolution")
        if self.action == "retrieve":
            qs = qs.prefetch_related("transitions")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ProposalDetailSerializer
        if self.action == "create":
            return s.ProposalCreateSerializer
        return s.ProposalSerializer

    @extend_schema(request=s.ProposalCreateSerializer, responses={201: s.ProposalSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            proposal = services.proposal_create(
                user=request.user,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                files=data.get("photos") or [],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise drf_error(error) from error
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(
            s.ProposalSerializer(proposal, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None, responses={201: s.SupportResultSerializer, 200: s.SupportResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None):
        """附议 once per household; repeating it returns the existing support (200)."""
        proposal = self.get_object()
        if not request.user.has_perm("deliberation.support_proposal", proposal):
            raise exceptions.NotFound()
        try:
            support = services.proposal_support(proposal=proposal, user=request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise drf_error(error) from error
        proposal = self.get_queryset().get(pk=proposal.pk)
        # Not "the count went up": of concurrent identical requests only the one that created
        # the support is told 201 (tests/reliability/test_races.py).
        created = getattr(support, "created_now", False)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(
            {
                "proposal": proposal.pk,
                "state": proposal.state,
                "support_count": proposal.support_count,
            },
            status=code,
        )

    @extend_schema(request=s.WithdrawSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        serializer = s.WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.proposal_withdraw(
                proposal=proposal, by=request.user, reason=serializer.validated_data["reason"]
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise drf_error(error) from error
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(s.ProposalSerializer(proposal, context={"request": request}).data)


class SessionViewSet(IdempotentMixin, viewsets.ReadOnlyModelViewSet):
    """Sessions of the caller's council; the detail carries the agenda and results."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        user = self.request.user
        if delib_permissions.is_resident(user):
            qs = session_selectors.sessions_for_resident(user)
        elif rules.is_deliberation_staff(user) or rules.councils_for_staff(user).exists():
            qs = (
                Session.objects.filter(council__in=rules.councils_for_staff(user).values("pk"))
                .annotate(item_count=Count("agenda", distinct=True))
                .select_related("council__estate")
            )
        else:
            qs = Session.objects.none()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "agenda",
                    queryset=AgendaItem.objects.select_related("proposal", "resolution").order_by(
                        "pk"
                    ),
                )
            )
        return qs.order_by("-date", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.SessionDetailSerializer
        if self.action == "votes":
            return s.VoteInputSerializer
        return s.SessionSerializer

    @extend_schema(request=s.VoteInputSerializer, responses={201: s.VoteSerializer})
    @action(detail=True, methods=["post"])
    def votes(self, request, pk=None):
        """A representative of the session's council votes on one agenda item, once."""
        session = self.get_object()
        serializer = s.VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = AgendaItem.objects.filter(
            session=session, pk=serializer.validated_data["agenda_item"]
        ).first()
        if item is None:
            raise exceptions.ValidationError({"agenda_item": ["Not on this session's agenda."]})
        representative = delib_permissions.representative_for(
            request.user, session.council, session.date
        )
        if representative is None:
            raise exceptions.PermissionDenied("You are not a representative of this council.")
        try:
            vote = services.vote_cast(
                agenda_item=item,
                representative=representative,
                choice=serializer.validated_data["choice"],
                entered_by=request.user,
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise drf_error(error) from error
        return Response(s.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class PublicResolutionViewSet(viewsets.ReadOnlyModelViewSet):
    """Resolutions of councils that publish them: public, no personal data."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.PublicResolutionSerializer
    queryset = session_selectors.published_resolutions()
