from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import Borough, Organisation, User
from .services import ACCESS_FIELDS, user_save


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
    list_display = ("full_name", "email", "role", "borough", "organisation", "is_active")
    list_filter = ("role", "borough", "organisation", "is_active")
    search_fields = ("full_name", "email")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "phone")}),
        ("Access", {"fields": ("role", "organisation", "borough", "is_active", "is_staff", "is_superuser")}),
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
