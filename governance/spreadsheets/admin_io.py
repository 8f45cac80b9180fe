"""django-import-export wired to governance.spreadsheets: the formats, the admin mixins and the
resource mixin every admin import and export of the project uses.

- `SafeCSV` / `SafeXLSX` escape every exported cell with `safe_cell` (the package's own
  IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=") and read uploads with
  `read_csv_bytes` / `read_xlsx_bytes` (encodings, caps, clear errors).
- `SpreadsheetExportMixin` / `SpreadsheetImportExportMixin` replace import-export's admin
  mixins: only the safe formats, a size check on the upload form, and every failure (an
  unreadable file, wrong columns, an unexpected error) shown as a form error in the user's
  language, never a traceback.
- `SpreadsheetResourceMixin` checks a file's columns against the resource before any row is
  imported.
"""

from __future__ import annotations

import logging

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import widgets
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm, SelectableFieldsExportForm

from . import (
    Limits,
    SpreadsheetError,
    check_size,
    csv_text,
    read_csv_bytes,
    read_table,
    read_xlsx_bytes,
    safe_cell,
    xlsx_bytes,
)

logger = logging.getLogger(__name__)

# Words of import-export's own admin templates that its catalogue leaves in English in Chinese;
# named here so that makemessages collects them into the project's catalogue.
PACKAGE_TEMPLATE_STRINGS = (gettext_noop("Select all"),)


def _dataset(table) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=table.headers)
    for _line, values in table.rows:
        dataset.append(values)
    return dataset


def escaped_dataset(dataset: tablib.Dataset, cell=safe_cell) -> tablib.Dataset:
    """A copy of an export dataset with every header and cell made safe."""
    escaped = tablib.Dataset(
        headers=[cell(h) for h in dataset.headers] if dataset.headers else None,
        title=dataset.title,
    )
    for row in dataset:
        escaped.append([cell(value) for value in row])
    return escaped


class NumberCellWidget(widgets.Widget):
    """Export a number as a typed cell in XLSX and as its plain digits in CSV ("12.50", never
    a localised "12,50" or a grouped "1,200.00"), for fields declared without a model widget."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class SafeCSV(base_formats.CSV):
    """CSV whose export is formula-safe and whose import decodes UTF-8 or GB18030 itself (so it
    reads bytes: is_binary) under the import caps."""

    native_types = False

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return _dataset(read_csv_bytes(in_stream))

    def export_data(self, dataset, **kwargs):
        return escaped_dataset(dataset).export("csv", **kwargs)


class SafeXLSX(base_formats.XLSX):
    """XLSX whose export is formula-safe (text cells only, never a formula from data) and whose
    import checks the unpacked size and counts rows before reading the sheet whole."""

    native_types = True

    def create_dataset(self, in_stream, **kwargs):
        return _dataset(read_xlsx_bytes(in_stream))

    def export_data(self, dataset, **kwargs):
        # Our writer, not tablib's: typed cells with number formats, dates as dates, the sheet
        # named after the data (not "Tablib Dataset") and a frozen header row.
        return xlsx_bytes(
            list(dataset), header=dataset.headers, title=dataset.title or kwargs.get("title")
        )


SAFE_FORMATS = {
    base_formats.CSV: SafeCSV,
    base_formats.XLSX: SafeXLSX,
    SafeCSV: SafeCSV,
    SafeXLSX: SafeXLSX,
}
FORMATS = [SafeXLSX, SafeCSV]


def safe_formats(formats) -> list:
    """The safe counterpart of each configured format; any other format is a configuration
    error (it would write cells unescaped)."""
    result = []
    for fmt in formats:
        if fmt not in SAFE_FORMATS:
            raise ImproperlyConfigured(
                f"{fmt.__name__} is not a formula-safe format; use governance.spreadsheets "
                "SafeCSV or SafeXLSX."
            )
        if SAFE_FORMATS[fmt] not in result:
            result.append(SAFE_FORMATS[fmt])
    return result


class SpreadsheetImportForm(ImportForm):
    """Import-export's upload form, refusing a file over IMPORT_MAX_BYTES before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size, Limits.from_settings())
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def _message(error) -> str:
    """What the user is told about an exception raised while importing: our own messages and
    validation messages as they are, anything else (a bug, a database error) generically."""
    if isinstance(error, (SpreadsheetError, ValueError)) and not isinstance(error, UnicodeError):
        return str(error)
    messages_ = getattr(error, "messages", None)
    if messages_:
        return " ".join(str(m) for m in messages_)
    return _("The file could not be imported because of an unexpected error; nothing was saved.")


class LabelledFieldsExportForm(SelectableFieldsExportForm):
    """The export field picker with each column's label in the user's language (the header the
    export will carry), not import-export's title-cased attribute name ("Unit  Estate  Name")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        instance = resource()
        field = instance.fields.get(field_name)
        if field is None:
            return super()._get_field_label(resource, field_name)
        if isinstance(instance, SpreadsheetResourceMixin):
            return instance.column_label(field)
        label = _label_from_model(getattr(instance._meta, "model", None), field)
        return str(label) if label else _(field.column_name)


class SpreadsheetExportMixin(ExportMixin):
    """ExportMixin that exports only through the safe formats, its field picker labelled in the
    user's language."""

    export_formats = FORMATS
    export_form_class = LabelledFieldsExportForm

    def get_export_formats(self):
        return safe_formats(self.export_formats)

    def get_data_for_export(self, request, queryset, **kwargs):
        # As import-export's, with the resource asked for headers in the user's language.
        export_form = kwargs.get("export_form")
        resource = self.choose_export_resource_class(export_form, request)(
            **self.get_export_resource_kwargs(request, **kwargs)
        )
        if isinstance(resource, SpreadsheetResourceMixin):
            resource.labelled_headers = True
        return resource.export(
            queryset=queryset,
            export_fields=self.get_export_resource_fields_from_form(export_form),
            **kwargs,
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Import-export decides native (typed) cells by the exact class of XLSX; ours is a
        # subclass, so say it here: numbers stay numbers in XLSX.
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=getattr(file_format, "native_types", False),
            **kwargs,
        )
        data.title = str(self.model._meta.verbose_name_plural)
        return file_format.export_data(data)


class SpreadsheetImportMixin(ImportMixin):
    """ImportMixin reading uploads with governance.spreadsheets: size cap on the form, row and
    unpacked-size caps while reading, and every failure a form error (no traceback, nothing
    saved)."""

    import_formats = FORMATS
    import_form_class = SpreadsheetImportForm
    import_template_name = "admin/governance/spreadsheet_import.html"
    # Never show tracebacks (they carry server paths) to staff.
    import_error_display = ("message",)

    def get_import_formats(self):
        return safe_formats(self.import_formats)

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/template.<str:fmt>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, fmt):
        """The file to start an import from: the header row (in the user's language) and one
        example row (a record the user may import, as the export writes it)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if fmt not in ("xlsx", "csv"):
            raise Http404
        resource = self.get_import_resource_classes(request)[0](
            **self.get_import_resource_kwargs(request)
        )
        header, example = import_template_rows(resource, native=fmt == "xlsx")
        title = str(self.model._meta.verbose_name_plural)
        if fmt == "xlsx":
            content = xlsx_bytes([example], header=header, title=title)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            # With a BOM: Excel on Chinese Windows opens UTF-8 CSV correctly only with one.
            content = ("\ufeff" + csv_text([example], header=header)).encode("utf-8")
            content_type = "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        filename = _("%(model)s import template") % {"model": title}
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{filename}.{fmt}"
        )
        return response

    def get_import_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_import_context_data(**kwargs)
        context["import_job_threshold"] = settings.IMPORT_JOB_THRESHOLD
        app_label, model_name = self.get_model_info()
        context["import_template_urls"] = [
            (
                fmt.upper(),
                reverse(
                    f"admin:{app_label}_{model_name}_import_template",
                    args=[fmt],
                    current_app=self.admin_site.name,
                ),
            )
            for fmt in ("xlsx", "csv")
        ]
        return context

    def _import_page_redirect(self):
        app_label, model_name = self.get_model_info()
        url = reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
        return HttpResponseRedirect(url)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
            return
        logger.warning("import file unreadable: %s", type(e).__name__)
        form.add_error(
            "import_file",
            _("The file could not be read; check that it is CSV or XLSX and the format chosen."),
        )

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            job_url = self._start_job_if_large(request)
            if job_url:
                return HttpResponseRedirect(job_url)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context and context.get("fields_list"):
            context["fields_list"] = self._labelled_fields_list(request)
        result = context.get("result") if context else None
        if result is not None and result.has_errors():
            form = context["form"]
            # Base errors (wrong columns, an error before the rows) become form errors; the
            # result table, which would show them with a traceback, is dropped.
            for error in result.base_errors:
                form.add_error("import_file", _message(error.error))
            for _line, errors in result.row_errors():
                for error in errors:
                    error.traceback = ""
                    error.error = _message(error.error)
            if result.base_errors:
                context.pop("result")
                context.pop("confirm_form", None)
        return response

    def _start_job_if_large(self, request) -> str | None:
        """For a file of more than IMPORT_JOB_THRESHOLD rows: start a background job and return
        its page's URL; None (a smaller or unreadable file) leaves the file to the preview,
        which reports any problem with it."""
        from django.conf import settings

        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        fmt_class = self.get_import_formats()[int(form.cleaned_data["format"])]
        file_format = "xlsx" if issubclass(fmt_class, SafeXLSX) else "csv"
        try:
            upload.seek(0)
            table = read_table(upload.read(), fmt=file_format)
        except SpreadsheetError:
            return None
        finally:
            upload.seek(0)
        if len(table.rows) <= settings.IMPORT_JOB_THRESHOLD:
            return None
        from .jobs import start_import_job

        job = start_import_job(
            user=request.user,
            model_label=self.model._meta.label_lower,
            upload=upload,
            file_format=file_format,
            resource_index=int(form.cleaned_data.get("resource") or 0),
        )
        return reverse("import-job", args=[job.pk])

    def _labelled_fields_list(self, request):
        """The import page's list of columns, as the template writes them (labels in the
        user's language), with the English column name after each."""
        listed = []
        for resource_class in self.get_import_resource_classes(request):
            resource = resource_class(**self.get_import_resource_kwargs(request))
            fields_ = list(resource.get_user_visible_fields())
            if isinstance(resource, SpreadsheetResourceMixin):
                labels = resource.column_header_labels(fields_)
                names = [
                    f"{label} ({field.column_name})" if label != field.column_name else label
                    for field, label in zip(fields_, labels, strict=True)
                ]
            else:
                names = [field.column_name for field in fields_]
            listed.append((resource.get_display_name(), names))
        return listed

    def process_import(self, request, **kwargs):
        # The confirmation step reads the stored file again; a file that vanished or no longer
        # reads is an error message, not a 500.
        try:
            return super().process_import(request, **kwargs)
        except (OSError, SpreadsheetError) as error:
            logger.warning("import confirmation failed: %s", type(error).__name__)
            messages.error(
                request,
                _("The uploaded file is no longer available or readable; upload it again."),
            )
        return self._import_page_redirect()

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was saved.
            messages.error(
                request,
                _("The import failed and nothing was saved; upload the file again to see why."),
            )
            return self._import_page_redirect()
        return super().process_result(result, request)


def import_template_rows(resource, *, native: bool) -> tuple[list[str], list]:
    """Header labels and one example row for an import template: the first record the user
    may see, exported as the admin exports it (so the template imports back unchanged), else
    a row of placeholders."""
    fields_ = list(resource.get_user_visible_fields())
    if isinstance(resource, SpreadsheetResourceMixin):
        header = resource.column_header_labels(fields_)
    else:
        header = [field.column_name for field in fields_]
    example = None
    try:
        instance = resource.get_queryset().order_by("pk").first()
    except Exception:  # a resource without a queryset of its own: placeholders
        logger.info("no example record for %s", type(resource).__name__)
        instance = None
    if instance is not None:
        kwargs = {"force_native_type": True} if native else {}
        example = [resource.export_field(field, instance, **kwargs) for field in fields_]
    if example is None:
        example = [_placeholder(field) for field in fields_]
    return header, example


def _placeholder(field):
    widget = field.widget
    if isinstance(widget, widgets.DateTimeWidget):
        return "2024-01-01 09:00:00"
    if isinstance(widget, widgets.DateWidget):
        return "2024-01-01"
    if isinstance(widget, widgets.BooleanWidget):
        return "0"
    if isinstance(widget, (widgets.IntegerWidget, widgets.DecimalWidget, widgets.FloatWidget)):
        return "1"
    return ""


class SpreadsheetImportExportMixin(SpreadsheetImportMixin, SpreadsheetExportMixin):
    """Import and export through governance.spreadsheets (replaces ImportExportMixin)."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"


def _label_from_model(model, field) -> str | None:
    """The verbose name behind a resource field: the model field of that column name, else the
    one its attribute path leads to (for "unit__estate__name", the estate's)."""
    from django.core.exceptions import FieldDoesNotExist

    for name in (field.column_name, field.attribute):
        if not name or model is None:
            continue
        found, current = None, model
        try:
            for part in name.split("__"):
                model_field = current._meta.get_field(part)
                if part == "name" and found is not None and found.is_relation:
                    break  # "estate__name" is labelled "estate", not "name"
                found = model_field
                current = model_field.related_model
        except (FieldDoesNotExist, AttributeError):
            found = None
        if found is not None and getattr(found, "verbose_name", None):
            return found.verbose_name
    return None


class SpreadsheetResourceMixin:
    """For an import-export Resource: columns named in the user's language on export and
    accepted in English or Chinese on import (`column_label`), and a file whose columns are
    not the resource's refused before any row is imported (columns it does not know, or a
    missing key column).

    A resource may name columns itself with `column_labels = {"column_name": gettext_lazy(..)}`;
    otherwise a column is labelled with the model field's verbose name. The English column
    names (the management commands' contracts) are always accepted too."""

    column_labels: dict = {}

    def column_label(self, field) -> str:
        label = self.column_labels.get(field.column_name)
        if label is None:
            label = _label_from_model(getattr(self._meta, "model", None), field)
        if label is None:
            label = _(field.column_name)
        return str(label)

    def column_header_labels(self, fields_) -> list[str]:
        """Labels for these fields, unique: a label two columns would share falls back to the
        column name for the second."""
        labels, seen = [], set()
        for field in fields_:
            label = self.column_label(field)
            if label in seen:
                label = field.column_name
            seen.add(label)
            labels.append(label)
        return labels

    #: the admin's exports set this: headers in the user's language. Code (and the commands'
    #: contracts) keep the English column names.
    labelled_headers = False

    def get_export_headers(self, selected_fields=None):
        if not self.labelled_headers:
            return super().get_export_headers(selected_fields)
        return self.column_header_labels([f for f in self.get_export_fields(selected_fields) if f])

    def column_aliases(self) -> dict[str, str]:
        """Every header a file may use for a column (its English name, its label in English and
        in Chinese, whatever the user's language) mapped to the column name."""
        fields_ = list(self.get_user_visible_fields())
        aliases: dict[str, str] = {}
        for language in ("en", "zh-hans", None):
            with translation.override(language) if language else _Same():
                for field, label in zip(fields_, self.column_header_labels(fields_), strict=True):
                    aliases.setdefault(label.strip().casefold(), field.column_name)
        for field in fields_:
            aliases[field.column_name.casefold()] = field.column_name
        return aliases

    def normalise_headers(self, headers) -> list[str]:
        aliases = self.column_aliases()
        return [aliases.get(str(h).strip().casefold(), h) for h in headers or []]

    def spreadsheet_columns(self) -> list[str]:
        return [field.column_name for field in self.get_user_visible_fields()]

    def check_columns(self, headers) -> None:
        headers = list(headers or [])
        known = self.spreadsheet_columns()
        id_fields = self.get_import_id_fields()
        required = (
            []
            if id_fields == ["id"]
            else [self.fields[f].column_name for f in id_fields if f in self.fields]
        )
        unknown = [h for h in headers if h not in known]
        missing = [c for c in required if c not in headers]
        if unknown or missing or not headers:
            labels = dict(
                zip(
                    known,
                    self.column_header_labels(self.get_user_visible_fields()),
                    strict=True,
                )
            )
            parts = []
            if missing:
                parts.append(
                    _("missing columns: %(cols)s")
                    % {"cols": ", ".join(labels.get(c, c) for c in missing)}
                )
            if unknown:
                parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
            raise SpreadsheetError(
                _("The file's columns do not fit this import (%(problems)s). Expected: %(known)s.")
                % {
                    "problems": "; ".join(parts),
                    "known": ", ".join(
                        f"{labels[c]} ({c})" if labels[c] != c else c for c in known
                    ),
                }
            )

    #: set by a background job: called with the number of rows processed so far
    import_progress = None

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        number = kwargs.get("row_number")
        if self.import_progress is not None and number and number % 100 == 0:
            self.import_progress(number)

    def before_import(self, dataset, **kwargs):
        # Chinese (or English-label) headers become the column names the fields and widgets
        # read (row["community"]), so the rest of the import never sees the difference.
        if dataset.headers:
            dataset.headers = self.normalise_headers(dataset.headers)
        try:
            self.check_columns(dataset.headers)
        except SpreadsheetError:
            # No row is worth importing with the wrong columns: drop them so import-export
            # reports only this error.
            del dataset[:]
            raise
        super().before_import(dataset, **kwargs)


class _Same:
    """A no-op context manager: the active language as it is."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
