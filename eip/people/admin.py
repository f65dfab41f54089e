from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Borough, Organisation, Passkey, User
from .services import ACCESS_FIELDS, user_save
from .two_factor import two_factor_reset

# django-otp's own admin pages show every person's authenticator key and recovery codes, and
# add or delete devices with no audit and no email. Administrators use the reset action on
# a person instead; nobody reads another person's second factor.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "organisation", "borough")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("full_name",)
    list_display = ("full_name", "email", "role", "borough", "organisation", "is_active", "two_factor_set_up")
    actions = ["reset_two_factor"]
    list_filter = ("role", "borough", "organisation", "is_active")
    search_fields = ("full_name", "email")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "phone")}),
        ("Access", {"fields": ("role", "organisation", "borough", "is_active", "is_staff", "is_superuser")}),
        # Set by the first council sign-in; clear both to let the next one link by email again.
        ("Single sign-on", {"fields": ("sso_issuer", "sso_subject")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "organisation", "borough", "password1", "password2"),
            },
        ),
    )
    # Object grants are made by the pathway (a referrer sees their referrals), not by hand.
    filter_horizontal = ()

    def get_queryset(self, request):
        confirmed = {"user": OuterRef("pk"), "confirmed": True}
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_two_factor=Exists(TOTPDevice.objects.filter(**confirmed))
                | Exists(StaticDevice.objects.filter(**confirmed))
                | Exists(Passkey.objects.filter(**confirmed))
            )
        )

    @admin.display(boolean=True, description="Two-factor set up", ordering="has_two_factor")
    def two_factor_set_up(self, obj):
        return obj.has_two_factor

    @admin.action(description="Reset two-factor sign-in (for a lost phone or passkey)")
    def reset_two_factor(self, request, queryset):
        # The person is signed out and emailed, and sets up a new app at their next sign-in.
        people = list(queryset.exclude(pk=request.user.pk))
        if len(people) < queryset.count():
            # Resetting would sign this administrator out mid-request; they can set up a new
            # app themselves (they have passed their second factor), or ask another administrator.
            self.message_user(
                request,
                "Your own two-factor sign-in was not reset. To change your app, go to /two-factor/set-up/.",
                messages.WARNING,
            )
        if not people:
            return
        for person in people:
            two_factor_reset(user=person, by=request.user)
        self.message_user(
            request,
            f"Two-factor sign-in reset for {len(people)} {'person' if len(people) == 1 else 'people'}. "
            "Each has been signed out and emailed, and will set up two-factor sign-in again at their next sign-in.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            saved = User.objects.get(pk=obj.pk)
            before = {field: getattr(saved, field) for field in ACCESS_FIELDS}
        user_save(user=obj, actor=request.user, before=before)


@admin.register(Borough)
class BoroughAdmin(admin.ModelAdmin):
    list_display = ("name", "isa_in_place", "isa_signed_on", "spoc", "housing_spoc")
    list_editable = ()
    search_fields = ("name",)
    prepopulated_fields = {"code": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
