"""KPI API: queues, intervals (list and batch push), import records, and the metrics
endpoint BI tools read. Every write calls ``kpis/services.py``; every figure comes
from ``kpis/selectors.py`` (sums in SQL, the formula once)."""

from zoneinfo import ZoneInfo

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import CursorPagination
from core.api.permissions import ActionPermissions
from core.api.schema import validated_input

from .. import services
from ..choices import GroupBy
from ..filters import IntervalFilter
from ..formulas import cost_per_contact
from ..models import IntervalImport, IntervalStat, Queue
from ..selectors import metrics, rows_for
from ..spend import has_spend_source, spend_by_queue
from .serializers import (
    IntervalImportSerializer,
    IntervalPushSerializer,
    IntervalSerializer,
    LoadResultSerializer,
    MetricRowSerializer,
    MetricsQuerySerializer,
    QueueSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List queues"),
    retrieve=extend_schema(summary="One queue with its service-level settings"),
    create=extend_schema(summary="Add a queue"),
    partial_update=extend_schema(summary="Change a queue's settings"),
    destroy=extend_schema(summary="Delete a queue and its intervals"),
)
class QueueViewSet(viewsets.ModelViewSet):
    """Contact-center queues: channel, site, the vendor that runs it, and how its
    service level is judged (threshold, target, short-abandon timer, abandon
    treatment). Managers and vendor managers change them."""

    queryset = Queue.objects.all().order_by("name", "pk")
    serializer_class = QueueSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.queue_create(by=self.request.user,
                                                    **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.queue_update(queue=serializer.instance,
                                                    by=self.request.user,
                                                    **serializer.validated_data)

    def perform_destroy(self, instance):
        services.queue_delete(queue=instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List intervals (filter by queue, channel and time)"),
    retrieve=extend_schema(summary="One interval's counts"),
)
class IntervalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Interval data: raw counts and second sums per queue per 15 or 30 minutes."""

    queryset = IntervalStat.objects.all()
    serializer_class = IntervalSerializer
    permission_classes = [ActionPermissions]
    pagination_class = CursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = IntervalFilter
    action_permissions = {"batch": ["kpis.add_intervalstat", "kpis.change_intervalstat"]}

    @extend_schema(summary="Push intervals in a batch (all or nothing)",
                   request=IntervalPushSerializer,
                   responses={201: LoadResultSerializer, 200: LoadResultSerializer})
    @action(detail=False, methods=["post"], parser_classes=[JSONParser])
    def batch(self, request):
        """Load up to 10,000 intervals in one transaction. An interval already held for
        the same queue and start is replaced (pushing again is idempotent). With
        `dry_run` nothing is written (200); otherwise 201. A refusal (400, code
        `import_refused`) loads nothing and names every bad item in `errors` as
        `"row N: field"` and in the extra `rows` list (`{row, column, message}`)."""
        data = validated_input(self, IntervalPushSerializer)
        result = services.intervals_push(by=request.user, intervals=data["intervals"],
                                         dry_run=data["dry_run"])
        body = {"rows": result.rows, "created": result.created, "replaced": result.replaced,
                "import_id": result.record.pk if result.record else None}
        return Response(body, status=status.HTTP_200_OK if data["dry_run"]
                        else status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List imports and pushes (taken or refused)"),
    retrieve=extend_schema(summary="One import, with its refused rows"),
)
class IntervalImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    queryset = IntervalImport.objects.all().order_by("-at", "-pk")
    serializer_class = IntervalImportSerializer
    permission_classes = [ActionPermissions]


class MetricsView(APIView):
    """KPI figures for any range and grouping, for BI tools: the raw counts are summed
    in the database for each group, then each figure is computed once (never an
    average of percentages)."""

    permission_classes = [ActionPermissions]
    queryset = IntervalStat.objects.none()  # model permission: kpis.view_intervalstat

    @extend_schema(summary="KPI figures by queue, channel, site, vendor or time",
                   parameters=[MetricsQuerySerializer],
                   responses={200: MetricRowSerializer(many=True)})
    def get(self, request):
        query = MetricsQuerySerializer(data={
            **request.query_params.dict(), "queue": request.query_params.getlist("queue")})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        group_by = data["group_by"]
        rows = rows_for(data["start"], data["end"], group_by=group_by,
                        zone=ZoneInfo(data["time_zone"]), queue_ids=data.get("queue") or None,
                        vendor_id=data.get("vendor"), channel=data.get("channel"),
                        site=data.get("site"))
        show_cost = has_spend_source() and request.user.has_perm("kpis.see_cost")
        results = metrics(rows, group_by, zone=ZoneInfo(data["time_zone"]),
                          treatment=data.get("treatment"))
        labels = _labels(group_by, [r.key for r in results])
        body = []
        spend = spend_by_queue([row.key for row in results], data["start"], data["end"]) \
            if show_cost and group_by == GroupBy.QUEUE else {}
        for row in results:
            item = {"key": _key_text(row.key), "label": labels.get(row.key, _key_text(row.key)),
                    **row.figures}
            item.pop("cost_per_contact", None)
            if show_cost and group_by == GroupBy.QUEUE:
                item["cost_per_contact"] = cost_per_contact(spend[row.key],
                                                            row.sums["handled"])
            body.append(item)
        data = MetricRowSerializer(body, many=True).data
        if not show_cost:  # money: the key is absent for roles that do not see it
            for item in data:
                item.pop("cost_per_contact", None)
        return Response(data)


def _key_text(key):
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def _labels(group_by, keys):
    if group_by == GroupBy.QUEUE:
        return {pk: q.name for pk, q in Queue.objects.in_bulk(keys).items()}
    if group_by == GroupBy.VENDOR:
        from vendors.models import Vendor

        return {pk: v.name for pk, v in Vendor.objects.in_bulk(keys).items()}
    return {}

