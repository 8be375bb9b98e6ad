from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class RegisterAdminSite(admin.AdminSite):
    """The staff back office, titled with the name of the organisation that keeps the register.

    Entry takes three things: an active staff account's password, a second factor verified in this
    session (django-otp), and a recorded confidentiality agreement. The login page sends a staff member
    who has the first to the step still missing (register.two_factor).
    """

    site_title = _("Client register")
    index_title = _("Back office")

    def __init__(self, name="admin"):
        super().__init__(name)
        # Extension points for the apps above register, which this module must not import. An app fills
        # them in its AppConfig.ready() (the reports app puts its dashboard on the first page this way):
        # - url_providers: callables that take the site and return a list of URL patterns (path(), not
        #   include()) served under the back office's path; wrap each view in site.admin_view() so that
        #   it needs the same login, second factor and agreement as every other page;
        # - index_providers: callables that take the request and return extra context for the first
        #   page, which Django's own index_template attribute may point at a template that shows it.
        self.url_providers = []
        self.index_providers = []

    def index(self, request, extra_context=None):
        context = {}
        for provide in self.index_providers:
            context.update(provide(request))
        return super().index(request, {**context, **(extra_context or {})})

    def has_permission(self, request):
        # Imported here: this module is loaded with the app configs, before models may be imported.
        from register.models import has_confidentiality_agreement

        user = request.user
        # is_verified is set by django-otp's middleware; a request that did not pass it is not verified.
        verified = getattr(user, "is_verified", lambda: False)()
        return user.is_active and user.is_staff and verified and has_confidentiality_agreement(user)

    def login(self, request, extra_context=None):
        from register.two_factor import next_step_url

        step = next_step_url(request)
        if step is not None:
            return redirect(step)
        return super().login(request, extra_context)

    def get_urls(self):
        from register.two_factor import site_urls

        extra = [pattern for provide in self.url_providers for pattern in provide(self)]
        return site_urls(self) + extra + super().get_urls()

    # django-otp's device pages would show a colleague's authenticator key and backup codes, enough to sign
    # in as them; a lost phone is handled by the users' "reset two-step verification" action instead.
    never_shown = frozenset({"otp_totp", "otp_static"})

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin class gets the access-log hooks (and, for a model with field history, its history
        # pages) here, in one place, so that none can be left without.
        from django.db.models.base import ModelBase

        from register.admin_audit import audited

        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            if model._meta.app_label in self.never_shown:
                continue
            super().register(model, audited(admin_class or admin.ModelAdmin, model), **options)

    def each_context(self, request):
        from register.models import Organisation

        context = super().each_context(request)
        organisation = Organisation.current()
        name = organisation.name if organisation else _("Client register")
        context["site_header"] = name
        context["site_title"] = name
        return context


class RegisterAdminConfig(AdminConfig):
    """The Django admin with the register's own site; installed in place of django.contrib.admin."""

    default_site = "register.admin_site.RegisterAdminSite"
