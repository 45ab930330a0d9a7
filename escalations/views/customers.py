"""Customer pages: the list, a customer's page, export and erasure on request."""

import json
from functools import reduce
from operator import or_

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import registry
from core.pagination import EstimatedCountPaginator

from .. import selectors, services
from ..forms import CustomerSearchForm, EraseForm
from ..models import Customer
from ..visibility import (
    ERASE_PERMISSION,
    MONEY_FIELDS,
    PERSONAL_FIELDS,
    can_see_money,
    can_see_personal_data,
    customer_search_fields,
    customer_visible_fields,
)
from ._access import reader

PAGE_SIZE = 50


@reader
def customer_list(request):
    """Customers, searchable by account reference (and by name for roles that see
    names), filterable by tier, 50 a page."""
    form = CustomerSearchForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data
    customers = Customer.objects.order_by("account_reference", "pk")
    if filters.get("q"):
        customers = customers.filter(reduce(or_, [
            Q(**{f"{name}__icontains": filters["q"]})
            for name in customer_search_fields(request.user)]))
    if filters.get("tier"):
        customers = customers.filter(tier=filters["tier"])
    page = EstimatedCountPaginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "escalations/customer_list.html", {
        "form": form, "page": page, "filtered": bool(filters.get("q") or filters.get("tier")),
        "show_personal": can_see_personal_data(request.user),
        "show_money": can_see_money(request.user),
    })


def _render_customer(request, customer, *, erase_form=None, status=200):
    labels = {field.name: field.verbose_name for field in Customer._meta.fields}
    rows = []
    for name in customer_visible_fields(request.user):
        if name in ("id", "account_reference", "tier"):
            continue  # in the heading
        value = getattr(customer, name)
        rows.append({"name": name, "label": labels[name].capitalize(), "value": value,
                     "personal": name in PERSONAL_FIELDS, "money": name in MONEY_FIELDS})
    return render(request, "escalations/customer_detail.html", {
        "customer": customer, "rows": rows, "erase_form": erase_form or EraseForm(),
        "can_erase": request.user.has_perm(ERASE_PERMISSION),
        "overview": selectors.customer_360(customer=customer, user=request.user),
        # Cards other apps add (e.g. the customer's status-update email opt-in).
        "panels": registry.panels_for(request, customer, None),
    }, status=status)


@reader
def customer_detail(request, pk):
    return _render_customer(request, get_object_or_404(Customer, pk=pk))


@reader
def customer_export(request, pk):
    """Everything held about the customer (managers): a JSON download, or with
    ``?format=html`` the same content as a page a person reads and prints."""
    customer = get_object_or_404(Customer, pk=pk)
    data = services.customer_export(customer=customer, by=request.user)
    if request.GET.get("format") == "html":
        return render(request, "escalations/customer_export.html",
                      {"customer": customer, "export": data})
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="customer-{customer.pk}-export.json"')
    return response


@require_POST
@reader
def customer_erase(request, pk):
    """Erase the customer's personal data on request (managers), with a reason."""
    customer = get_object_or_404(Customer, pk=pk)
    form = EraseForm(request.POST)
    form.is_valid()
    try:
        services.customer_erase(customer=customer, by=request.user,
                                reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, texts in errors.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        return _render_customer(request, Customer.objects.get(pk=pk), erase_form=form,
                                status=400)
    messages.success(request, "The customer's personal data was erased, history included.")
    return redirect("escalations:customer", pk=pk)
