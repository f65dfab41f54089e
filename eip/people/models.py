from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_otp.models import ThrottlingMixin


class Borough(models.Model):
    """A London borough taking part in the programme."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    spoc = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="borough SPOC",
    )
    housing_spoc = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="housing SPOC",
    )
    isa_in_place = models.BooleanField("information sharing agreement in place", default=False)
    isa_signed_on = models.DateField("information sharing agreement signed on", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(isa_in_place=False) | Q(isa_signed_on__isnull=False),
                name="borough_isa_has_date",
                violation_error_message="Give the date the information sharing agreement was signed.",
            ),
        ]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DELIVERY_PARTNER = "delivery_partner", "Delivery partner"
        PROGRAMME_LEAD = "programme_lead", "Respect / SafeLives"
        FUND_HOLDER = "fund_holder", "LB Camden (accommodation fund)"
        FUNDER = "funder", "MOPAC (funder)"
        EVALUATOR = "evaluator", "Evaluator"
        BOROUGH_COUNCIL = "borough_council", "Borough council"

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    BOROUGH_SPOC = "borough_spoc", "Borough SPOC"
    HOUSING_SPOC = "housing_spoc", "Housing SPOC"
    PRACTITIONER = "practitioner", "Early Intervention Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    FINANCE = "finance", "Camden finance"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    EVALUATOR = "evaluator", "Evaluator"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that act for one borough and so must belong to one.
BOROUGH_ROLES = frozenset({Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.HOUSING_SPOC})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # People type their address with any capitals; it is one account.
        return self.get(email__iexact=username)

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    borough = models.ForeignKey(Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    # Only administrators reach the Django admin.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The identity at the organisation's identity provider this account is linked to, set at the
    # first single sign-on (matched then by verified email); later sign-ins match these, so a
    # renamed mailbox still reaches the same account and a reused address never reaches it.
    sso_issuer = models.CharField("single sign-on issuer", max_length=255, blank=True)
    sso_subject = models.CharField("single sign-on subject", max_length=255, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(BOROUGH_ROLES)) | Q(borough__isnull=False),
                name="user_borough_role_has_borough",
                violation_error_message="Choose the borough this person works for.",
            ),
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(role=Role.ADMINISTRATOR),
                name="user_only_administrators_are_staff",
                violation_error_message="Only administrators can use the admin site.",
            ),
            models.UniqueConstraint(
                fields=["sso_issuer", "sso_subject"],
                condition=~Q(sso_subject=""),
                name="user_sso_identity_unique",
                violation_error_message="This single sign-on identity is linked to another account.",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


class Absence(models.Model):
    """A practitioner away from one day to another, with a named colleague covering: while it
    lasts the cover receives their reminders and intake-duty notifications and works their cases."""

    practitioner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences")
    cover = models.ForeignKey(User, on_delete=models.PROTECT, related_name="covering")
    starts_on = models.DateField("away from")
    ends_on = models.DateField("last day away")
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    # Ended early (back sooner than planned), or withdrawn before it began.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="absence_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_it_starts"),
            models.CheckConstraint(condition=~Q(cover=F("practitioner")), name="absence_cover_is_someone_else"),
        ]

    def __str__(self):
        return f"{self.practitioner} away {self.starts_on:%d %b}–{self.ends_on:%d %b %Y}"


# django-otp-webauthn's models read the user model as they are imported, so they are imported
# only once User exists.
from django_otp_webauthn.models import AbstractWebAuthnAttestation, AbstractWebAuthnCredential  # noqa: E402


class Passkey(ThrottlingMixin, AbstractWebAuthnCredential):
    """A passkey (WebAuthn credential) a person signs in with instead of a code from their app.

    Failed attempts slow down further ones exactly as they do for the authenticator app
    (django-otp's throttling, the same OTP_TOTP_THROTTLE_FACTOR)."""

    class Meta(AbstractWebAuthnCredential.Meta):
        verbose_name = "passkey"
        verbose_name_plural = "passkeys"
        ordering = ["created_at", "pk"]

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)


class PasskeyAttestation(AbstractWebAuthnAttestation):
    """What the authenticator said about itself when the passkey was added (kept, unused)."""

    credential = models.OneToOneField(Passkey, on_delete=models.CASCADE, related_name="attestation", editable=False)
