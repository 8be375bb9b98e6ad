from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from billing.camt import import_camt054
from billing.models import (
    Feedback,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Payment,
    PaymentImport,
    PaymentReminder,
    VatRate,
)
from billing.money import format_money
from billing.pdf import render_invoice_pdf
from billing.reminders import send_reminder
from billing.services import (
    credit_invoice,
    invoices_from_visits,
    issue_invoice,
    record_payment,
    refresh_payment_status,
)
from clients.models import Client
from clients.scoping import ScopedAdminMixin
from register.admin_actions import apply_to_each
from register.admin_lists import LargeListMixin
from register.signals import DOWNLOADED_INVOICE, data_accessed


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["category", "rate", "valid_from", "valid_until"]
    list_filter = ["category"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["service_date", "description", "quantity", "unit", "unit_price", "vat_rate", "gross_display"]
    readonly_fields = ["gross_display"]

    @admin.display(description=_("total"))
    def gross_display(self, line):
        return format_money(line.gross) if line.pk else "-"

    def has_change_permission(self, request, obj=None):
        # An issued invoice is immutable: a correction is a credit note.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["paid_on", "amount", "reference", "payer_name", "message", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FromVisitsForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.active(), required=False, label=_("client"), help_text=_("Empty: every client.")
    )
    start = forms.DateField(label=_("from"), widget=admin.widgets.AdminDateWidget)
    end = forms.DateField(label=_("until"), widget=admin.widgets.AdminDateWidget)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The period ends before it starts."))
        return data


class InvoiceYearFilter(admin.SimpleListFilter):
    """The years that have numbered invoices, read from the number sequences (a row a year), not the invoices."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = InvoiceSequence.objects.order_by("-year").values_list("year", flat=True)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(year=int(self.value()))
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(LargeListMixin, admin.ModelAdmin):
    list_display = ["__str__", "buyer_name", "status", "issue_date", "due_date", "total_gross", "pdf_link"]
    list_filter = ["status", "is_credit_note", InvoiceYearFilter]
    search_fields = ["buyer_name", "reference"]
    list_select_related = ["credits"]
    autocomplete_fields = ["client"]
    inlines = [InvoiceLineInline, PaymentInline]
    actions = ["issue_selected", "send_selected", "credit_selected", "remind_selected"]
    readonly_fields = [
        "display_number",
        "reference",
        "status",
        "issue_date",
        "total_net",
        "total_vat",
        "total_gross",
        "balance",
        "sent_at",
        "credits",
    ]
    fields = [
        "client",
        "guardian",
        "buyer_name",
        "buyer_address",
        "buyer_email",
        "buyer_language",
        "buyer_business_id",
        "delivery_date",
        "delivery_end",
        "due_date",
        "notes",
        *readonly_fields,
    ]
    change_list_template = "admin/billing/invoice/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return self.fields
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # An issued invoice and its number stay for good (gap-free numbering, the Accounting Act).
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_draft)

    def delete_queryset(self, request, queryset):
        queryset.filter(status=Invoice.Status.DRAFT).delete()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        invoice = form.instance
        if invoice.is_draft:
            invoice.compute_totals()
            invoice.save(update_fields=["total_net", "total_vat", "total_gross"])

    @admin.display(description=_("balance"))
    def balance(self, invoice):
        return format_money(invoice.balance)

    @admin.display(description="PDF")
    def pdf_link(self, invoice):
        if invoice.is_draft:
            return "-"
        return format_html('<a href="{}">PDF</a>', reverse("admin:billing_invoice_pdf", args=[invoice.pk]))

    @admin.action(description=_("Issue"), permissions=["issue"])
    def issue_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda i: issue_invoice(invoice=i, issued_by=request.user),
            _("%(count)s invoices issued."),
        )

    @admin.action(description=_("Send by email with the PDF"), permissions=["issue"])
    def send_selected(self, request, queryset):
        apply_to_each(self, request, queryset, lambda i: send_invoice(i), _("%(count)s invoices sent."))

    @admin.action(description=_("Credit (issue a credit note)"), permissions=["issue"])
    def credit_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda i: credit_invoice(invoice=i, credited_by=request.user),
            _("%(count)s credit notes issued."),
        )

    @admin.action(description=_("Send a payment reminder"), permissions=["issue"])
    def remind_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda i: send_reminder(invoice=i) is not None,
            _("%(count)s payment reminders sent."),
        )

    def has_issue_permission(self, request):
        return request.user.has_perm("billing.issue_invoice")

    def get_urls(self):
        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
            path(
                "from-visits/", self.admin_site.admin_view(self.from_visits_view), name="billing_invoice_from_visits"
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        if invoice.is_draft:
            raise PermissionDenied
        response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.display_number}.pdf"'
        data_accessed(request, DOWNLOADED_INVOICE, [invoice], sender=Invoice)
        return response

    def from_visits_view(self, request):
        """Create draft invoices from visits and late cancellations not yet invoiced."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today}
        form = FromVisitsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                drafts = invoices_from_visits(
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    client=form.cleaned_data["client"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("%(count)s draft invoices created.") % {"count": len(drafts)})
                return HttpResponseRedirect(reverse("admin:billing_invoice_changelist") + "?status__exact=draft")
        return TemplateResponse(
            request,
            "admin/billing/invoice/from_visits.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Invoices from visits"),
                "opts": self.model._meta,
                "form": form,
                "media": self.media + form.media,
            },
        )


def send_invoice(invoice: Invoice) -> bool:
    """Email an issued invoice with its PDF to the buyer and record the sending."""
    if invoice.is_draft:
        raise ValidationError(_("Issue the invoice before sending it."))
    if not invoice.buyer_email:
        raise ValidationError(_("The buyer has no email address."))
    with translation.override(invoice.buyer_language):
        context = {"invoice": invoice}
        message = EmailMessage(
            subject=render_to_string("billing/email/invoice_subject.txt", context).strip(),
            body=render_to_string("billing/email/invoice.txt", context),
            to=[invoice.buyer_email],
        )
        message.attach(f"{invoice.display_number}.pdf", render_invoice_pdf(invoice), "application/pdf")
    message.send()
    invoice.sent_at = timezone.now()
    if invoice.status == Invoice.Status.ISSUED:
        invoice.status = Invoice.Status.SENT
    invoice.save(update_fields=["sent_at", "status"])
    return True


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["invoice", "amount", "paid_on", "reference", "payer_name"]


class BankFileForm(forms.Form):
    file = forms.FileField(label=_("camt.054 file from the bank"))


@admin.register(Payment)
class PaymentAdmin(LargeListMixin, admin.ModelAdmin):
    form = PaymentForm
    list_display = ["paid_on", "amount", "invoice", "reference", "payer_name", "source"]
    list_filter = ["source", ("invoice", admin.EmptyFieldListFilter)]
    list_select_related = ["invoice"]
    search_fields = ["reference", "payer_name"]
    autocomplete_fields = ["invoice"]
    change_list_template = "admin/billing/payment/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # What the bank reported is a fact; staff only choose the invoice an unmatched payment belongs to.
        if obj is not None and obj.source == Payment.Source.BANK:
            return ["amount", "paid_on", "reference", "payer_name", "message"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            previous = Payment.objects.get(pk=obj.pk).invoice
            super().save_model(request, obj, form, change)
            for invoice in {previous, obj.invoice} - {None}:
                refresh_payment_status(Invoice.objects.get(pk=invoice.pk))
            return
        payment = record_payment(
            invoice=obj.invoice,
            amount=obj.amount,
            paid_on=obj.paid_on,
            reference=obj.reference,
            payer_name=obj.payer_name,
        )
        obj.pk = payment.pk

    def delete_model(self, request, obj):
        invoice = obj.invoice
        super().delete_model(request, obj)
        if invoice is not None:
            refresh_payment_status(Invoice.objects.get(pk=invoice.pk))

    def delete_queryset(self, request, queryset):
        invoices = {payment.invoice_id for payment in queryset if payment.invoice_id}
        super().delete_queryset(request, queryset)
        for invoice in Invoice.objects.filter(pk__in=invoices):
            refresh_payment_status(invoice)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="billing_payment_import"),
            *super().get_urls(),
        ]

    # A file of pending entries could list hundreds; the first ones say what kind they are.
    SKIPPED_SHOWN = 20

    def report_skipped(self, request, skipped) -> None:
        """Tell staff which entries of the file were not imported as payments, and why."""
        for entry in skipped[: self.SKIPPED_SHOWN]:
            self.message_user(
                request,
                _("Entry %(position)s (bank reference %(reference)s) was not imported: %(reason)s")
                % {"position": entry.position, "reference": entry.reference or "–", "reason": entry.reason},
                messages.WARNING,
            )
        if len(skipped) > self.SKIPPED_SHOWN:
            self.message_user(
                request,
                _("%(count)s more entries were not imported for the same kinds of reason.")
                % {"count": len(skipped) - self.SKIPPED_SHOWN},
                messages.WARNING,
            )

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BankFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_camt054(content=upload.read(), file_name=upload.name, imported_by=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                if result.already_imported:
                    self.message_user(
                        request, _("This file has been imported already; nothing changed."), messages.WARNING
                    )
                else:
                    self.message_user(
                        request,
                        _(
                            "%(matched)s payments matched to invoices, %(unmatched)s unmatched, "
                            "%(duplicates)s already recorded."
                        )
                        % {"matched": result.matched, "unmatched": result.unmatched, "duplicates": result.duplicates},
                    )
                self.report_skipped(request, result.skipped)
                return HttpResponseRedirect(reverse("admin:billing_payment_changelist"))
        return TemplateResponse(
            request,
            "admin/billing/payment/import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import a bank file"),
                "opts": self.model._meta,
                "form": form,
            },
        )


@admin.register(PaymentImport)
class PaymentImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "payments"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the client's words are kept as they gave them


@admin.register(PaymentReminder)
class PaymentReminderAdmin(admin.ModelAdmin):
    list_display = ["invoice", "sent_on", "fee", "interest_rate"]
    list_select_related = ["invoice"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the client's words are kept as they gave them


@admin.register(Feedback)
class FeedbackAdmin(ScopedAdminMixin, admin.ModelAdmin):
    person_path = "appointment__client"

    def scope_also(self, request):
        return Q(appointment__coach=request.user)

    list_display = ["appointment", "score", "comment", "answered_at"]
    list_select_related = ["appointment__client", "appointment__service"]
    list_filter = ["score"]

    def changelist_view(self, request, extra_context=None):
        averages = (
            # A coach sees the averages of their own visits only, as they see only their own feedback.
            self.get_queryset(request)
            .annotate(month=TruncMonth("answered_at"))
            .values("appointment__coach__first_name", "appointment__coach__last_name", "month")
            .annotate(average=Avg("score"), answers=Count("pk"))
            .order_by("-month", "appointment__coach__last_name")[:48]
        )
        return super().changelist_view(request, {**(extra_context or {}), "averages": averages, "today": date.today()})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the client's words are kept as they gave them
