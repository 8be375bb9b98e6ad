"""VAT rates, invoices and their lines, payments, payment reminders, and client feedback."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.amounts import line_cents
from bookings.models import Service
from register.history import field_history

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up (0.005 becomes 0.01), as invoices are rounded in Finland."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class VatRateQuerySet(models.QuerySet):
    def in_force(self, category: str, on: date):
        return self.filter(category=category, valid_from__lte=on).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on)
        )


class VatRate(models.Model):
    """A VAT rate of a category for a period; a rate change adds a row and never rewrites old invoices."""

    category = models.CharField(_("VAT rate category"), max_length=10, choices=Service.VatCategory)
    rate = models.DecimalField(
        _("rate %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = VatRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="billing_vatrate_category_from_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="billing_vatrate_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.rate} %"

    @classmethod
    def rate_for(cls, category: str, on: date) -> Decimal:
        """Return the rate of ``category`` in force on ``on``; refuse when none is."""
        row = cls.objects.in_force(category, on).order_by("-valid_from").first()
        if row is None:
            raise ValidationError(
                _("No VAT rate of category %(category)s is in force on %(date)s.")
                % {"category": category, "date": f"{on:%d.%m.%Y}"}
            )
        return row.rate


class InvoiceSequence(models.Model):
    """The last invoice number of a year: numbers are handed out under a row lock, with no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


# Issued and not yet paid or credited (Invoice.OPEN_STATUSES; here for the index on them too).
OPEN_STATUSES = ("issued", "sent", "partly_paid", "overdue")


class InvoiceQuerySet(models.QuerySet):
    def open(self):
        """Return invoices that are issued and not yet paid or credited."""
        return self.filter(status__in=Invoice.OPEN_STATUSES)

    def overdue(self, *, on: date):
        return self.open().filter(due_date__lt=on, is_credit_note=False)


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")
        SENT = "sent", _("sent")
        PARTLY_PAID = "partly_paid", _("partly paid")
        PAID = "paid", _("paid")
        OVERDUE = "overdue", _("overdue")
        CREDITED = "credited", _("credited")

    OPEN_STATUSES = OPEN_STATUSES

    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, editable=False)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    reference = models.CharField(_("reference number"), max_length=20, blank=True, editable=False, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT, db_index=True)
    is_credit_note = models.BooleanField(_("credit note"), default=False, editable=False)
    credits = models.ForeignKey(
        "self",
        verbose_name=_("credits invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        editable=False,
    )

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, null=True, related_name="invoices"
    )
    guardian = models.ForeignKey(
        "clients.Guardian",
        verbose_name=_("payer (guardian)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Empty: the client pays."),
    )
    # The buyer as printed: an issued invoice keeps it even when the person's details change.
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_address = models.TextField(_("buyer's address"), blank=True)
    buyer_email = models.EmailField(_("buyer's email"), blank=True)
    buyer_language = models.CharField(_("language"), max_length=2, default="fi")
    buyer_business_id = models.CharField(_("buyer's business ID"), max_length=9, blank=True)

    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), help_text=_("Or the first day of the delivery period."))
    delivery_end = models.DateField(_("delivery period ends"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    seller = models.JSONField(_("seller"), default=dict, editable=False)
    total_net = models.DecimalField(_("total without VAT"), max_digits=12, decimal_places=2, default=0, editable=False)
    total_vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=0, editable=False)
    total_gross = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=0, editable=False)
    notes = models.TextField(_("notes on the invoice"), blank=True)

    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvoiceQuerySet.as_manager()
    # Every save stores a copy with who changed what: the buyer's details above all. The seller's details
    # are the business's own and frozen at issue, so they are left out of the copies.
    history = field_history(excluded_fields=["seller"])

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-number", "-id"]
        permissions = [("issue_invoice", _("Can issue, send and credit invoices"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="billing_invoice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | (models.Q(number__isnull=False) & ~models.Q(reference="")),
                name="billing_invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_end__isnull=True) | models.Q(delivery_end__gte=models.F("delivery_date")),
                name="billing_invoice_delivery_period_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="billing_invoice_status_due_idx"),
            # The list's ordering, key included: a deep page is found by an index-only scan.
            models.Index(fields=["year", "number", "id"], name="billing_invoice_order_idx"),
            # The dashboard's revenue per month reads the issued invoices of a year from this index alone,
            # not the whole table (on PostgreSQL, which keeps the included columns).
            models.Index(
                fields=["issue_date"],
                include=["id"],
                condition=~models.Q(status="draft"),
                name="billing_invoice_issued_idx",
            ),
            # The dashboard's open and overdue balances: every column it sums, for the open invoices only.
            models.Index(
                fields=["due_date"],
                include=["id", "total_gross", "client"],
                condition=models.Q(status__in=OPEN_STATUSES, is_credit_note=False),
                name="billing_invoice_open_idx",
            ),
        ]

    def __str__(self):
        if self.number is None:
            return _("draft invoice no. %(id)s") % {"id": self.pk}
        kind = _("credit note") if self.is_credit_note else _("invoice")
        return f"{kind} {self.display_number}"

    @property
    def display_number(self) -> str:
        return f"{self.year}-{self.number:05d}" if self.number else "-"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def vat_breakdown(self) -> list[dict]:
        """Return the totals per VAT rate: rate, net, VAT, gross, from the lines."""
        groups: dict[Decimal, dict] = {}
        for line in self.lines.all():
            group = groups.setdefault(line.vat_rate, {"rate": line.vat_rate, "net": Decimal(0), "vat": Decimal(0)})
            group["net"] += line.net
            group["vat"] += line.vat
        for group in groups.values():
            group["gross"] = group["net"] + group["vat"]
        return sorted(groups.values(), key=lambda g: g["rate"], reverse=True)

    def compute_totals(self) -> None:
        breakdown = self.vat_breakdown()
        self.total_net = sum((g["net"] for g in breakdown), Decimal(0))
        self.total_vat = sum((g["vat"] for g in breakdown), Decimal(0))
        self.total_gross = self.total_net + self.total_vat

    @property
    def is_payable(self) -> bool:
        return not self.is_credit_note and self.total_gross > 0

    @property
    def paid_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments.all()), Decimal(0))

    @property
    def balance(self) -> Decimal:
        return self.total_gross - self.paid_amount


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=Decimal(1))
    unit = models.CharField(_("unit"), max_length=10, default="kpl")
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4, help_text=_("In euros."))
    unit_price_includes_vat = models.BooleanField(
        _("price includes VAT"),
        default=False,
        help_text=_("On: the price is what the client pays and the VAT is taken out of it."),
    )
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)
    service_date = models.DateField(_("date"), null=True, blank=True)
    appointment = models.ForeignKey(
        "bookings.Appointment",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_lines",
    )
    # Copied from the invoice so that the database can say "a visit is invoiced once" in one constraint.
    on_credit_note = models.BooleanField(default=False, editable=False)
    # The line's net and VAT in whole cents, kept by the database (billing.amounts): the VAT summary and
    # the dashboard add up these instead of working out every line's rounding again on each read.
    net_cents = models.GeneratedField(
        expression=line_cents()["net"], output_field=models.BigIntegerField(), db_persist=True
    )
    vat_cents = models.GeneratedField(
        expression=line_cents()["vat"], output_field=models.BigIntegerField(), db_persist=True
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False, on_credit_note=False),
                name="billing_invoiceline_visit_invoiced_once",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def net(self) -> Decimal:
        if self.unit_price_includes_vat:
            return self.gross - self.vat
        return cents(self.quantity * self.unit_price)

    @property
    def vat(self) -> Decimal:
        if self.unit_price_includes_vat:
            return cents(self.gross * self.vat_rate / (100 + self.vat_rate))
        return cents(self.net * self.vat_rate / 100)

    @property
    def gross(self) -> Decimal:
        if self.unit_price_includes_vat:
            return cents(self.quantity * self.unit_price)
        return self.net + self.vat

    @property
    def net_unit_price(self) -> Decimal:
        """Return the unit price without VAT, as the VAT Act asks invoices to show it."""
        if self.unit_price_includes_vat:
            return (self.unit_price / (1 + self.vat_rate / 100)).quantize(Decimal("0.0001"))
        return self.unit_price


class PaymentImport(models.Model):
    """A bank file of payments (camt.054); the same file imported again changes nothing."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payments = models.PositiveIntegerField(_("payments"), default=0)

    class Meta:
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")
        ordering = ["-imported_at"]

    def __str__(self):
        return self.file_name


class Payment(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("recorded by hand")
        BANK = "bank", _("bank file")

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text=_("Empty until the payment is matched to an invoice."),
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=35, blank=True)
    payer_name = models.CharField(_("payer"), max_length=140, blank=True)
    # The payer's free-text message as the bank file gives it (each unstructured remittance line, up to
    # 140 characters in the schema, and several may come), kept whole, spaces and all.
    message = models.TextField(_("payer's message"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.MANUAL)
    bank_entry_id = models.CharField(_("bank's archive id"), max_length=100, blank=True)
    bank_file = models.ForeignKey(PaymentImport, on_delete=models.SET_NULL, null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["paid_on", "id"], name="billing_payment_order_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_entry_id"],
                condition=~models.Q(bank_entry_id=""),
                name="billing_payment_bank_entry_unique",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="billing_payment_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.paid_on:%d.%m.%Y} {self.amount} €"


class PaymentReminder(models.Model):
    """A payment reminder (maksumuistutus) sent for an overdue invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(_("sent"))
    # The day the reminder counts for in the 14-day rules (the day the run was for).
    sent_on = models.DateField(_("reminder date"))
    fee = models.DecimalField(_("reminder fee"), max_digits=6, decimal_places=2)
    interest_rate = models.DecimalField(_("late interest %"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.invoice} {self.sent_at:%d.%m.%Y}"


class Feedback(models.Model):
    """A client's score and comment on one visit (quality control)."""

    appointment = models.OneToOneField(
        "bookings.Appointment", verbose_name=_("visit"), on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="billing_feedback_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.score}/5"


class FeedbackRequest(models.Model):
    """That a client was asked for feedback on a visit, so that nobody is asked twice."""

    appointment = models.OneToOneField(
        "bookings.Appointment", verbose_name=_("visit"), on_delete=models.CASCADE, related_name="feedback_request"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")

    def __str__(self):
        return f"{self.appointment_id} {self.sent_at:%d.%m.%Y}"
