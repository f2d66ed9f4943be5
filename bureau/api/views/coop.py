"""The cooperative's proposals and ballots: members list, propose and back proposals; the
board schedules, opens and closes ballots — through the same operations as the portal's
pages (bureau.coop.operations.proposals and .board), which check who may."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.coop import conf
from bureau.coop.models import Ballot, BallotState, Proposal, ProposalKind
from bureau.coop.operations import board, proposals

from .common import PROBLEM_RESPONSES


class ProposalSerializer(serializers.ModelSerializer):
    backers = serializers.IntegerField(read_only=True)
    needed = serializers.SerializerMethodField()
    ballot: serializers.PrimaryKeyRelatedField[Ballot] = serializers.PrimaryKeyRelatedField(
        read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "kind", "title", "text", "state", "budget_year", "energy_kwh",
                  "emissions_kg", "ballot", "created_at", "backed_at", "backers", "needed"]
        read_only_fields = ["state", "ballot", "created_at", "backed_at"]

    def get_needed(self, obj: Proposal) -> int:
        return conf.proposal_backers()


class NewProposalSerializer(serializers.Serializer):
    """A motion or an environment budget (prices are proposed with their breakdown in the
    portal)."""

    kind = serializers.ChoiceField(choices=[ProposalKind.MOTION, ProposalKind.BUDGET])
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=10000)
    budget_year = serializers.IntegerField(required=False, min_value=2000, max_value=2200)
    energy_kwh = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    emissions_kg = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class ScheduleSerializer(serializers.Serializer):
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    quorum_percent = serializers.IntegerField(min_value=0, max_value=100, default=25)
    secret = serializers.BooleanField(default=True)


class BallotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ballot
        fields = ["id", "title", "text", "state", "opens_at", "closes_at", "quorum_percent",
                  "secret", "result", "commitment", "closed_at"]


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = ProposalSerializer
    queryset = Proposal.objects.none()
    filter_backends: list[type] = []
    scopes = {"list": "coop:read", "retrieve": "coop:read", "create": "coop:propose",
              "back": "coop:propose", "schedule": "coop:board"}

    def get_queryset(self) -> QuerySet[Proposal]:
        return Proposal.objects.annotate(backers=Count("backings")).order_by("-created_at",
                                                                             "-id")

    def shown(self, proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data,
                        status=code)

    @extend_schema(summary="Propose a motion or a yearly environment budget",
                   request=NewProposalSerializer,
                   responses={201: ProposalSerializer, **PROBLEM_RESPONSES})
    def create(self, request: Request) -> Response:
        data = NewProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = proposals.submit(by=request.user, **data.validated_data)
        return self.shown(proposal, status.HTTP_201_CREATED)

    @extend_schema(summary="Back a proposal", request=None,
                   responses={200: ProposalSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def back(self, request: Request, pk: Any = None) -> Response:
        return self.shown(proposals.back(self.get_object(), by=request.user))

    @extend_schema(summary="Schedule the ballot of a backed proposal (the board)",
                   request=ScheduleSerializer,
                   responses={201: BallotSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: Any = None) -> Response:
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ballot = board.schedule(self.get_object(), by=request.user, **data.validated_data)
        return Response(BallotSerializer(ballot).data, status=status.HTTP_201_CREATED)


class BallotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Ballots members can see (the board also sees those it scheduled)."""

    serializer_class = BallotSerializer
    queryset = Ballot.objects.none()
    filter_backends: list[type] = []
    scopes = {"list": "coop:read", "retrieve": "coop:read", "open": "coop:board",
              "close": "coop:board"}

    def get_queryset(self) -> QuerySet[Ballot]:
        shown = Ballot.objects.order_by("-opens_at", "-id")
        if not board.is_board(self.request.user):
            shown = shown.exclude(state=BallotState.DRAFT)
        return shown

    @extend_schema(summary="Open a scheduled ballot to members (the board)", request=None,
                   responses={200: BallotSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: Any = None) -> Response:
        return Response(BallotSerializer(board.open_ballot(self.get_object(),
                                                           by=request.user)).data)

    @extend_schema(summary="Close a ballot whose time is up and publish its result (the "
                           "board)", request=None,
                   responses={200: BallotSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        ballot = self.get_object()
        board.close(ballot, by=request.user)
        ballot.refresh_from_db()
        return Response(BallotSerializer(ballot).data)
