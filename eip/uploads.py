"""Uploaded documents are trusted by their content, never by their name: a file called
`agreement.html` that starts with `%PDF-` is a PDF, and one called `agreement.pdf` that holds a
web page is refused. The rule lives here and in `DocumentField`, so the form, a service, the
importer, the admin site or a shell all store the same way:

- only PDF, Word (.docx), PNG and JPEG are accepted, up to 10 MB, recognised by their bytes;
- the stored name is generated (a random UUID plus the extension of the detected type), so the
  uploader's name never reaches the disk;
- where the uploader's file name is known (case documents), its extension must say the same type
  as the bytes: `letter.pdf` holding a web page or a photo is refused with a message saying so;
- downloads always carry `Content-Disposition: attachment`, the detected content type and
  `X-Content-Type-Options: nosniff`, so a browser never renders an upload as a page."""

import html
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES_MESSAGE = "The file must be a PDF, Word document, PNG or JPEG"
DOCUMENT_SIZE_MESSAGE = "The file must be 10 MB or smaller"
DOCUMENT_NAME_MESSAGE = "The file’s name must end in .pdf, .docx, .png, .jpg or .jpeg"


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str


PDF = DocumentType(".pdf", "application/pdf")
PNG = DocumentType(".png", "image/png")
JPEG = DocumentType(".jpg", "image/jpeg")
DOCX = DocumentType(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
# What a stored file that no longer passes (stored before these checks) is served as.
UNRECOGNISED = DocumentType(".bin", "application/octet-stream")

_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))


def detect_document_type(file) -> DocumentType | None:
    """The type the file's bytes say it is, or None. The file's position is left unchanged."""
    start = file.tell()
    try:
        file.seek(0)
        head = file.read(8)
        for signature, kind in _SIGNATURES:
            if head.startswith(signature):
                return kind
        if head.startswith(b"PK\x03\x04"):
            # Any zip starts like this (spreadsheets, archives, programs); a Word document is the
            # zip that holds word/document.xml. Only the directory is read, nothing is unpacked.
            file.seek(0)
            try:
                with zipfile.ZipFile(file) as archive:
                    return DOCX if "word/document.xml" in archive.namelist() else None
            except (zipfile.BadZipFile, ValueError, EOFError, OSError):
                return None
        return None
    finally:
        file.seek(start)


def check_document(file) -> DocumentType:
    """The detected type of an upload we accept; ValidationError (with the message shown beside
    the field) otherwise."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(DOCUMENT_SIZE_MESSAGE, code="too_large")
    kind = detect_document_type(file)
    if kind is None:
        raise ValidationError(DOCUMENT_TYPES_MESSAGE, code="not_a_document")
    return kind


# The extensions a document's name may end in, by the type its bytes must then show.
_EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
_KIND_NAMES = {PDF: "a PDF", DOCX: "a Word document", PNG: "a PNG image", JPEG: "a JPEG image"}


def check_named_document(file, name: str) -> DocumentType:
    """check_document(), and the extension of the uploader's `name` must say the type the bytes
    show: a web page or a program renamed to .pdf is refused, and so is a photo called .pdf
    (whoever opens it expects what the name says)."""
    extension = "." + (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    named = _EXTENSIONS.get(extension)
    if named is None:
        raise ValidationError(f"{DOCUMENT_NAME_MESSAGE}. {DOCUMENT_TYPES_MESSAGE}.", code="wrong_extension")
    kind = check_document(file)
    if kind != named:
        raise ValidationError(
            f"The file’s name ends in {extension} but it is {_KIND_NAMES[kind]}. "
            f"Rename it to end in {kind.extension}, or choose the right file.",
            code="extension_mismatch",
        )
    return kind


# A run of text, or the end of a paragraph (a line break between sentences).
_WORD_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|(</w:p>)")


def document_text(file, *, limit: int = 2_000_000) -> str:
    """The words of a stored Word document (its body XML, read from the zip's directory without
    unpacking anything else, at most `limit` bytes), for the outbound guard; "" for a PDF or an
    image, whose words cannot be read here."""
    handle = file.storage.open(file.name, "rb")  # its own handle: the download opens another
    try:
        if detect_document_type(handle) != DOCX:
            return ""
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            with archive.open("word/document.xml") as body:
                xml = body.read(limit)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError):
        return ""
    finally:
        handle.close()
    words = b"".join(text or b"\n" for text, _ in _WORD_TEXT.findall(xml))
    return html.unescape(words.decode("utf-8", errors="replace"))


def _validate_document(value):
    # Runs in full_clean() (services, model forms, the admin site) on a file not yet stored.
    if value and not getattr(value, "_committed", True):
        check_document(value.file)


class DocumentField(models.FileField):
    """A FileField whose files are checked by content and stored under a generated name with the
    extension of the detected type, whichever code path saves the record."""

    default_validators = [_validate_document]

    def pre_save(self, model_instance, add):
        document = getattr(model_instance, self.attname)
        if document and not document._committed:
            kind = check_document(document.file)
            document.save(f"{uuid.uuid4().hex}{kind.extension}", document.file, save=False)
        return document


def document_response(document, *, download_name: str) -> FileResponse:
    """A stored document served as a download named `download_name` plus the extension of the
    type its bytes show, with that type; never shown inline."""
    handle = document.open("rb")
    kind = detect_document_type(handle) or UNRECOGNISED
    response = FileResponse(
        handle, as_attachment=True, filename=f"{download_name}{kind.extension}", content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
