from crispy_forms_gds.layout import Field, Size
from django import forms

from cases.forms import case_form_helper
from eip.uploads import check_named_document

from .models import Category

CHECKBOX = "case_notes/_checkbox.html"  # the journal's single checkbox, hint beneath the label
PARTNER_LABEL = "This document contains information about the partner or the children"
PARTNER_HINT = (
    "Only practitioners and supervisors will see it; never the borough SPOC, and never the client. "
    "The mark cannot be taken off later."
)


class CaseDocumentForm(forms.Form):
    category = forms.ChoiceField(
        label="What type of document is it?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of document"},
    )
    title = forms.CharField(
        label="Description",
        help_text="For example, ‘Consent form signed by the client’ or ‘Letter from the GP, 3 March’",
        max_length=200,
        error_messages={
            "required": "Describe the document, for example ‘Consent form signed by the client’",
            "max_length": "The description must be 200 characters or fewer",
        },
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word document (.docx), PNG or JPEG, up to 10 MB.",
        error_messages={"required": "Choose the file to upload", "empty": "The chosen file is empty"},
    )
    partner_information = forms.BooleanField(label=PARTNER_LABEL, help_text=PARTNER_HINT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.radios("category", legend_size=Size.SMALL, small=True),
            Field.text("title"),
            Field("file"),
            Field("partner_information", template=CHECKBOX),
        )

    def clean_file(self):
        # Checked here too, so a wrong file is named beside the field before anything is stored.
        file = self.cleaned_data["file"]
        check_named_document(file, file.name)
        return file


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this document?",
        help_text=(
            "For example, ‘Uploaded to the wrong case’. The document stays listed as withdrawn, with your reason."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Say why the document is being withdrawn",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.textarea("reason", rows=4))
