"""Seed the DASH risk identification checklist (SafeLives, 24 questions) and an initial list
of the 20 attitudinal risk markers. Both are data: an administrator can correct them."""

from django.db import migrations

DASH = [
    "Has the current incident resulted in injury?",
    "Are you very frightened?",
    "What are you afraid of? Is it further injury or violence?",
    "Do you feel isolated from family or friends? For example, does the abuser try to stop you from "
    "seeing friends, family, your doctor or others?",
    "Are you feeling depressed or having suicidal thoughts?",
    "Have you separated or tried to separate from the abuser within the past year?",
    "Is there conflict over child contact?",
    "Does the abuser constantly text, call, contact, follow, stalk or harass you?",
    "Are you pregnant or have you recently had a baby (within the last 18 months)?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything you do and/or are they excessively jealous?",
    "Has the abuser ever used weapons or objects to hurt you?",
    "Has the abuser ever threatened to kill you or someone else and you believed them?",
    "Has the abuser ever attempted to strangle, choke, suffocate or drown you?",
    "Does the abuser do or say things of a sexual nature that make you feel bad or that physically "
    "hurt you or someone else?",
    "Is there any other person who has threatened you or who you are afraid of?",
    "Do you know if the abuser has hurt anyone else?",
    "Has the abuser ever mistreated an animal or the family pet?",
    "Are there any financial issues? For example, are you dependent on the abuser for money, have they "
    "recently lost their job, or are there other financial issues?",
    "Has the abuser had problems in the past year with drugs (prescription or other), alcohol or mental "
    "health leading to problems in leading a normal life?",
    "Has the abuser ever threatened or attempted suicide?",
    "Has the abuser ever broken bail, an injunction and/or a formal agreement about when they can see "
    "you and/or the children?",
    "Do you know if the abuser has ever been in trouble with the police or has a criminal history?",
]

# A starting list for the programme to correct: the evaluation names the tool's 20
# attitudinal risk markers but does not reproduce them.
MARKERS = [
    "Denial of abusive behaviour",
    "Minimisation of abusive behaviour",
    "Blaming the partner or others",
    "Justifying the use of violence or abuse",
    "Sense of entitlement in the relationship",
    "Jealousy and possessiveness",
    "Controlling attitudes towards the partner",
    "Hostile attitudes towards the partner",
    "Rigid beliefs about gender roles",
    "Lack of empathy for the partner",
    "Lack of awareness of the impact on the children",
    "Using the children to control or punish",
    "Seeing themselves as the victim",
    "Difficulty regulating emotions and anger",
    "Unwillingness to accept responsibility",
    "Low motivation to change",
    "Resistance to engaging with support",
    "Attitudes condoning abuse among peers or family",
    "Lack of understanding of coercive control",
    "Disregard for boundaries, orders or agreements",
]


def seed(apps, schema_editor):
    DashQuestion = apps.get_model("assessments", "DashQuestion")
    ViabilityMarker = apps.get_model("assessments", "ViabilityMarker")
    for number, text in enumerate(DASH, 1):
        DashQuestion.objects.get_or_create(number=number, defaults={"text": text})
    for number, text in enumerate(MARKERS, 1):
        ViabilityMarker.objects.get_or_create(number=number, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
