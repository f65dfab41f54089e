"""The four instruments' fixed wording. The DASH questions and the treatment viability
markers are programme data an administrator can correct (DashQuestion, ViabilityMarker);
the SOAG categories and the Needs Analysis Matrix are fixed by the evaluation."""

from django.db import models

from cases.vocabulary import MARAC_DASH_THRESHOLD


class Instrument(models.TextChoices):
    SOAG = "soag", "Severity of Abuse Grid"
    NEEDS = "needs", "Needs Analysis Matrix"
    DASH = "dash", "DASH risk identification checklist"
    VIABILITY = "viability", "Treatment Viability and Progress Assessment"


class Stage(models.TextChoices):
    INTAKE = "intake", "Intake"
    MID = "mid", "About four weeks"
    EXIT = "exit", "Exit"


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    STANDARD = "standard", "Standard"
    NONE = "none", "None"
    DONT_KNOW = "dont_know", "Don't know"


# "Perpetrating" a category means a rating of high, moderate or standard.
PERPETRATING = (Severity.HIGH, Severity.MODERATE, Severity.STANDARD)
SEVERITY_RANK = {Severity.NONE: 0, Severity.STANDARD: 1, Severity.MODERATE: 2, Severity.HIGH: 3}

SOAG_CATEGORIES = [
    ("physical", "Physical abuse"),
    ("sexual", "Sexual abuse"),
    ("harassment", "Harassment and stalking"),
    ("jcc", "Jealous and controlling behaviour, emotional abuse or coercive control"),
]


class DashAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Don't know"


class DashSource(models.TextChoices):
    VICTIM = "victim", "The partner or victim-survivor"
    SOCIAL_WORKER = "social_worker", "Social worker"
    POLICE = "police", "Police"
    PRACTITIONER = "practitioner", "Practitioner"
    OTHER = "other", "Other agency or record"


# 14 or more "yes" answers is visible high risk: a MARAC criterion (one constant, in the case kernel).
MARAC_YES_THRESHOLD = MARAC_DASH_THRESHOLD


class ViabilityLevel(models.TextChoices):
    NOT_PRESENT = "not_present", "Not present"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


# Needs: 0 (unmet, highest need) to 10 (met). The evaluation reads 8 or less as a need and
# 4 or less as a high need.
NEED_AT_MOST = 8
HIGH_NEED_AT_MOST = 4

# The Needs Analysis Matrix, appendix 4 of the 12-month evaluation, verbatim: five descriptors
# from unmet to met for each area.
NEEDS_AREAS = [
    (
        "housing",
        "Housing",
        [
            "I am currently homeless/I don't feel safe where I am living",
            "I am constantly moving addresses and/or dependent on others for accommodation and this effects my wellbeing / I have no stability or security",
            "I am in temporary or unsustainable accommodation/I feel like a burden where I staying and this affects my well being",
            "I am in temporary accommodation but the effect on my wellbeing to me from this is low",
            "Where I live is secure and settled",
        ],
    ),
    (
        "physical_health",
        "Physical health",
        [
            "I have chronic poor health due to abuse or illness. I am not getting GP or health support",
            "I have poor health and I don't feel able to look after my health needs/I don't feel able to ask for help as I don't think people will understand them",
            "I have poor health, I try to look after my health needs but need support",
            "I am taking action to address my health needs I am making progress on a healthier lifestyle",
            "I am maintaining good health / I have health needs but I manage these well",
        ],
    ),
    (
        "ete",
        "Education, training and employment",
        [
            "I have no employment, I am not in training or education/ I believe I have no employment opportunities/ I don't think I will be an asset to any employer due to no confidence and self worth.",
            "I have occasional employment – it is poorly paid and/or largely to satisfy benefit requirements / it is not suitable for my needs – health, family etc",
            "I have some employment, but it is cash in hand and/or unfulfilling/ poorly paid",
            "I am in reliable employment but I am not satisfied in my career/ I am a full time carer and I would like to be able to return to work",
            "My job is reliable, fulfilling and pays enough for me to live comfortably or meet my needs eg family/ I am in education or training/ I am a satisfied, full time carer",
        ],
    ),
    (
        "substance_misuse",
        "Substance misuse",
        [
            "My use of drugs or alcohol is out of control and significantly impacting on my life and is a risk to myself and/or others",
            "My use of drugs and alcohol is out of control and it is impacting on my family / friends / work/day to day life",
            "My use of drugs and alcohol is out of control but I am working to address this / it has some impact on my family / friends / work/day to day life",
            "My use of alcohol/ drugs is high but not out of control, I minimise the impact this has on risk to myself and others",
            "My use of drugs or alcohol is not affecting anyone negatively/I don't use drugs or alcohol",
        ],
    ),
    (
        "finance",
        "Finance, benefits and debts",
        [
            "I have significant financial problems or I am dependent on income from crime or misclaiming benefits",
            "I have financial problems but I am addressing these, income from crime is supplemental",
            "I am coping financially but – I go into debt / borrow money frequently/I have problems handling money & would welcome help to help me budget",
            "I am coping financially – I go into debt / borrow money occasionally",
            "I have no financial concerns",
        ],
    ),
    (
        "children_parenting",
        "Children and parenting",
        [
            "I don't have contact with my children/I don't have a connection with my children (physical/emotional)",
            "I struggle to look after my children as they need/ I would like and I need some help",
            "I look after my children as well as I can but it doesn't always feel like I am parenting as I would like to",
            "Overall, I feel that we are doing ok as a family. There are times when I need help but I know how to get that support",
            "I am happy with my parenting. My children are well adjusted and my relationship with them is loving and supportive/I don't have children",
        ],
    ),
    (
        "social_support",
        "Social, family and community support",
        [
            "All my friends, family or social networks reinforce abusive behaviour and blame me for the abuse / friends and family have totally distanced themselves from me",
            "Some of my networks are supportive but many still reinforce abusive behaviour and blame me for the abuse",
            "My networks are supportive but I am isolated from them",
            "I have supportive associates but my relationships aren't strong/I have a good support network and although they don't understand the abuse but continue to support me",
            "I have strong, supportive relationships with my associates and friends and I am involved in community activities",
        ],
    ),
    (
        "fulfilling_activity",
        "Fulfilling activity",
        [
            "I have no structure or planned activities in my day",
            "I have some structure and planned activities in my day/I would welcome more structure & Activities in my life and would be willing to go to groups",
            "I have planned activities but I would like them to be more fulfilling",
            "I am happy with the amount of activity in my life and generally it feels fulfilling",
            "I am actively engaged with fulfilling activity and I balance this with my other needs",
        ],
    ),
    (
        "mental_health",
        "Mental health and emotional well-being",
        [
            "My GP or other health professional has suggested I may have issues with my MH but I am currently getting no support for this",
            "I acknowledge I have mental health needs but cannot access the best support",
            "I recognise my mental health needs and I try to address them",
            "My mental health is generally ok but I am not confident that I can maintain this",
            "I have a sense of well being most of the time and I feel confident in maintaining this",
        ],
    ),
    (
        "identity",
        "Identity (sexuality, ethnicity and other issues)",
        [
            "I do not get the help that I need or that suits who I am eg my community / ethnicity / sexuality, this impacts on me and I do not know how to address this",
            "I am struggling to identify who I am/I have issues around my identity and I feel that I could work to address them",
            "I have some uncomfortableness with identity issues and I recognise these and am working to address them",
            "I am largely comfortable with my identity and I have external and community support",
            "I am comfortable, with my identity and feel supported by my community",
        ],
    ),
]
# The matrix places five descriptors along its 0 (unmet) to 10 (met) line; shown against these
# bands as guidance to whoever scores.
DESCRIPTOR_BANDS = ["0 to 2", "3 to 4", "5 to 6", "7 to 8", "9 to 10"]


def need_level(score: int | None) -> str:
    if score is None:
        return ""
    if score <= HIGH_NEED_AT_MOST:
        return "high need"
    if score <= NEED_AT_MOST:
        return "need"
    return "no need"
