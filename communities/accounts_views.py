"""Open accounts in the portal: residents read their estate's statements; the company (or
staff for a self-managed estate's committee) files them."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.uploads import private_file_response

from . import accounts_services as services
from .accounts import StatementDocument, StatementLine
from .models import Estate, ServiceContract


class StatementForm(forms.Form):
    estate = forms.ModelChoiceField(label=gettext_lazy("Estate"), queryset=Estate.objects.none())
    period_start = forms.DateField(
        label=gettext_lazy("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    fund_balance = forms.DecimalField(
        label=gettext_lazy("Maintenance-fund balance (¥)"), max_digits=14, decimal_places=2
    )
    lines = forms.CharField(
        label=gettext_lazy("Lines"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One per line: section,category,amount; sections: fee_income, fee_spending, "
            "public_revenue, public_use."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates if estates is not None else Estate.objects.none()

    def clean_lines(self):
        parsed, errors = [], []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.replace("，", ",").split(",")]
            try:
                section, category, amount = parts
                value = Decimal(amount)
                if section not in StatementLine.Section.values or not category:
                    raise ValueError
                if not value.is_finite() or value.as_tuple().exponent < -2:
                    raise ValueError
            except (ValueError, InvalidOperation):
                errors.append(_("line %(n)d: expected section,category,amount") % {"n": number})
                continue
            parsed.append((section, category, value))
        if errors:
            raise forms.ValidationError(errors)
        if not parsed:
            raise forms.ValidationError(_("Give at least one line."))
        return parsed


def _filing_estates(user):
    """Estates `user` may file for: those their company serves today, and for staff the
    estates in scope not managed by a company (their committees' statements)."""
    from django.db.models import Q

    from . import roles
    from .scoping import visible_communities
    from .selectors import committee_estate_ids

    today = timezone.localdate()
    q = Q(pk__in=[])
    if companies := roles.company_ids(user, roles.Role.PROPERTY_MANAGER):
        serving = ServiceContract.objects.active_on(today).filter(company_id__in=companies)
        q |= Q(pk__in=serving.values("estate_id"))
    if user.is_superuser or roles.holds(
        user, roles.Role.TOWNSHIP_STAFF, roles.Role.COMMUNITY_STAFF
    ):
        q |= Q(community__in=visible_communities(user)) & ~Q(management_form="company")
    if committees := committee_estate_ids(user, today):
        q |= Q(pk__in=committees) & ~Q(management_form="company")
    return Estate.objects.filter(q).select_related("community")


@login_required
def statement_list(request):
    statements = services.statements_for(request.user).order_by("-period_start")[:200]
    return render(request, "communities/statement_list.html", {"statements": statements})


@login_required
def statement_detail(request, pk: int):
    statement = get_object_or_404(
        services.statements_for(request.user).prefetch_related("lines", "documents"), pk=pk
    )
    sections = [
        (label, [line for line in statement.lines.all() if line.section == value])
        for value, label in StatementLine.Section.choices
    ]
    return render(
        request,
        "communities/statement_detail.html",
        {"statement": statement, "sections": sections},
    )


@login_required
def statement_document(request, pk: int):
    document = get_object_or_404(
        StatementDocument, pk=pk, statement__in=services.statements_for(request.user)
    )
    return private_file_response(document.file, document.original_name)


@login_required
def statement_file(request):
    estates = _filing_estates(request.user)
    if not estates.exists():
        raise PermissionDenied
    form = StatementForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_file(
                estate=form.cleaned_data["estate"],
                period_start=form.cleaned_data["period_start"],
                fund_balance=form.cleaned_data["fund_balance"],
                lines=form.cleaned_data["lines"],
                note=form.cleaned_data["note"],
                documents=request.FILES.getlist("documents"),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            form.add_error("estate", _("You do not file for this estate."))
        else:
            messages.success(request, _("Statement filed and published to the estate."))
            return redirect("statement-detail", pk=statement.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/statement_form.html",
        {"form": form, "today": datetime.date.today()},
        status=status,
    )
