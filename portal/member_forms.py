"""Forms of the members' own tools: bulk import, column mapping, watchlist."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import HiddenField, IntegerField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from registry.bulk.batches import Document
from registry.bulk.reading import FIELDS, REQUIRED


class ImportForm(FlaskForm):
    file = FileField(
        "CSV of overdue invoices", validators=[FileRequired("choose the CSV file to import")]
    )
    documents = MultipleFileField("Evidence documents (PDF, PNG or JPEG)")
    submit = SubmitField("Upload and preview")


class DocumentsForm(FlaskForm):
    documents = MultipleFileField("More evidence documents (PDF, PNG or JPEG)")
    submit = SubmitField("Add documents")


class MappingForm(FlaskForm):
    """One select per field; its choices are the file's column headers."""

    submit = SubmitField("Use these columns and preview")


def mapping_form(
    headers: Sequence[str], mapping: Mapping[str, str], samples: Mapping[str, str]
) -> MappingForm:
    class Form(MappingForm):
        pass

    for field, label in FIELDS.items():
        empty = "required: choose a column" if field in REQUIRED else "(none)"
        if field == "amount":
            empty = "choose a column (or map the amount outstanding)"
        choices = [SelectChoice("", empty)]
        choices += [
            SelectChoice(h, f"{h}: e.g. {samples[h]}" if samples.get(h) else h) for h in headers
        ]
        setattr(Form, field, SelectField(label, choices=choices, default=mapping.get(field, "")))
    return Form()


class WatchForm(FlaskForm):
    business_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    next = HiddenField()
    submit = SubmitField("Watch")


def uploaded(files: object) -> list[Document]:
    """The files a multiple-file field received (empty inputs dropped)."""
    if not isinstance(files, list):
        return []
    return [
        Document(item.filename or "document", item.read())
        for item in files
        if isinstance(item, FileStorage) and item.filename
    ]
