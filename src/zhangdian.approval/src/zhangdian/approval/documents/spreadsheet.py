"""Import and export of the whole matter list as XLSX or CSV with Chinese headings.

An import is validated completely before anything is written: either every row is
applied or none is, and each bad row is reported with its line, column and reason.
"""

from dataclasses import dataclass
from dataclasses import field
from plone import api
from plone.i18n.normalizer.interfaces import IIDNormalizer
from zhangdian.approval import _
from zhangdian.approval.content.matter import MATTER_CODE_PATTERN
from zhangdian.approval.content.matter import NOT_SIMPLE_BECAUSE
from zhangdian.approval.content.matter import IMatter
from zhangdian.approval.content.matter import InvalidMatterCode
from zhangdian.approval.content.matter import NotASimpleMatter
from zhangdian.approval.content.matter import PromisedExceedsStatutory
from zhangdian.approval.content.matter import check_simple_matter
from zhangdian.approval.content.matter import check_time_limits
from zhangdian.approval.content.matter import find_matter_by_code
from zhangdian.approval.errors import ApprovalError
from zope.component import getUtility
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
from zope.schema.interfaces import ValidationError

import csv
import io
import openpyxl


MAX_ROWS = 5000
MAX_CELL_CHARS = 20000
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class Column:
    """One column of the bureau's spreadsheet."""

    key: str
    heading: str
    required: bool = False


COLUMNS = (
    Column("code", "事项编码", True),
    Column("title", "事项名称", True),
    Column("category", "审批门类", True),
    Column("description", "事项简介"),
    Column("legal_basis", "设定依据", True),
    Column("conditions", "受理条件"),
    Column("materials", "申请材料"),
    Column("statutory_days", "法定时限（工作日）", True),
    Column("promised_days", "承诺时限（工作日）", True),
    Column("fee", "收费标准"),
    Column("risk_level", "风险等级", True),
    Column("independent_approval", "适用独立审批", True),
    Column("needs_technical_review", "需现场查验/考评/鉴定评审"),
    Column("needs_hearing", "需听证"),
    Column("needs_legal_review", "需重大执法决定法制审核"),
    Column("contact_window", "咨询窗口"),
    Column("process_steps", "办理流程"),
    Column("former_steps", "原审批流程"),
    Column("state", "状态", True),
)
HEADINGS = {column.key: column.heading for column in COLUMNS}

MATERIAL_FORM_LABELS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
RISK_LEVEL_LABELS = {"low": "低", "medium": "中", "high": "高"}
STATE_LABELS = {"draft": "草稿", "published": "已发布", "suspended": "已暂停"}
YES_NO_LABELS = {True: "是", False: "否"}
REQUIRED_LABELS = {True: "必要", False: "非必要"}

# The transitions that take a matter from one state to another.
STATE_PATHS = {
    ("draft", "published"): ("publish",),
    ("draft", "suspended"): ("publish", "suspend"),
    ("published", "suspended"): ("suspend",),
    ("suspended", "published"): ("resume",),
}


def _invert(labels):
    return {label: key for key, label in labels.items()}


@dataclass
class RowError:
    """A reason why one cell (or the file) cannot be imported."""

    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    """The outcome of an import: the parsed rows, or the errors that stopped it."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def ok(self):
        """True when the file can be (or was) applied."""
        return not self.errors


class SpreadsheetError(ApprovalError):
    """The uploaded file cannot be read as a spreadsheet."""

    code = "SpreadsheetError"


def read_table(filename, data):
    """Return the rows of an uploaded .xlsx or .csv file as lists of strings."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return _read_csv(data)
    raise SpreadsheetError(
        _(
            "error_spreadsheet_type",
            default="Upload an .xlsx or .csv file exported from the matter list.",
        )
    )


def _read_xlsx(data):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise SpreadsheetError(
            _("error_spreadsheet_xlsx", default="The file is not a readable .xlsx workbook.")
        ) from error
    sheet = workbook.worksheets[0]
    table = []
    for row in sheet.iter_rows(values_only=True):
        table.append(["" if value is None else str(value) for value in row])
        if len(table) > MAX_ROWS + 1:
            break
    workbook.close()
    return table


def _read_csv(data):
    # Excel on a Chinese Windows saves CSV as GB18030; everything else sends UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise SpreadsheetError(
            _("error_spreadsheet_encoding", default="The CSV file is neither UTF-8 nor GB18030.")
        )
    if "\x00" in text:
        raise SpreadsheetError(
            _("error_spreadsheet_binary", default="The CSV file contains binary data.")
        )
    try:
        return list(csv.reader(io.StringIO(text, newline="")))[: MAX_ROWS + 1]
    except csv.Error as error:
        raise SpreadsheetError(
            _("error_spreadsheet_csv", default="The CSV file is malformed.")
        ) from error


def parse_table(table):
    """Validate every row of a table; return an ImportReport with rows or errors."""
    report = ImportReport()
    if not table:
        report.errors.append(RowError(1, "", _("error_import_empty", default="The file is empty.")))
        return report
    header = [cell.strip() for cell in table[0]]
    positions = {}
    for column in COLUMNS:
        if column.heading in header:
            positions[column.key] = header.index(column.heading)
        elif column.required:
            report.errors.append(
                RowError(
                    1,
                    column.heading,
                    _("error_import_missing_column", default="This column is missing."),
                )
            )
    if report.errors:
        return report
    if len(table) - 1 > MAX_ROWS:
        report.errors.append(
            RowError(
                MAX_ROWS + 2,
                "",
                _(
                    "error_import_too_many_rows",
                    default="At most ${max} matters can be imported at once.",
                    mapping={"max": MAX_ROWS},
                ),
            )
        )
        return report
    seen_codes = {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        raw = {
            key: (cells[index].strip() if index < len(cells) else "")
            for key, index in positions.items()
        }
        values, errors = _parse_row(line, raw)
        code = values.get("code")
        if code:
            if code in seen_codes:
                errors.append(
                    RowError(
                        line,
                        HEADINGS["code"],
                        _(
                            "error_import_code_twice",
                            default="The code also appears on line ${other}.",
                            mapping={"other": seen_codes[code]},
                        ),
                    )
                )
            seen_codes.setdefault(code, line)
        report.errors.extend(errors)
        if not errors:
            report.rows.append(values)
    return report


def _parse_row(line, raw):
    """Convert and check one row; return its values and its errors."""
    values, errors = _convert_cells(line, raw)
    if not errors:
        errors = [
            RowError(line, HEADINGS[key], message) for key, message in _rule_violations(values)
        ]
    return values, errors


def _convert_cells(line, raw):
    values, errors = {}, []
    for column in COLUMNS:
        text = raw.get(column.key, "")
        if len(text) > MAX_CELL_CHARS:
            message = _("error_import_cell_too_long", default="The cell is too long.")
        elif column.required and not text:
            message = _("error_import_required", default="This cell is required.")
        else:
            try:
                values[column.key] = _CONVERTERS.get(column.key, _text)(text)
                continue
            except _CellError as error:
                message = error.message
        errors.append(RowError(line, column.heading, message))
    return values, errors


def _rule_violations(values):
    """The matter rules a converted row breaks, as (column key, message) pairs."""
    violations = []
    if not MATTER_CODE_PATTERN.match(values["code"]):
        violations.append(("code", InvalidMatterCode.__doc__))
    if "\n" in values["title"] or len(values["title"]) > MAX_TITLE_CHARS:
        violations.append(
            (
                "title",
                _(
                    "error_import_title",
                    default="A matter name is one line of at most ${max} characters.",
                    mapping={"max": MAX_TITLE_CHARS},
                ),
            )
        )
    for key in ("fee", "contact_window", "statutory_days", "promised_days"):
        try:
            if values[key] is not None:
                IMatter[key].validate(values[key])
        except ValidationError as error:
            violations.append((key, error.doc()))
    try:
        check_time_limits(values["promised_days"], values["statutory_days"])
    except PromisedExceedsStatutory as error:
        violations.append(("promised_days", error.args[0]))
    try:
        check_simple_matter(
            values["independent_approval"], **{key: values[key] for key in NOT_SIMPLE_BECAUSE}
        )
    except NotASimpleMatter as error:
        violations.append(("independent_approval", error.args[0]))
    if not violations:
        state_error = _check_state_change(values["code"], values["state"])
        if state_error:
            violations.append(("state", state_error))
    return violations


def _check_state_change(code, state):
    brain = find_matter_by_code(code)
    if brain is None or brain.review_state == state:
        return None
    if (brain.review_state, state) not in STATE_PATHS:
        return _(
            "error_import_state_change",
            default="The matter is ${current}; it cannot go back to ${wanted}.",
            mapping={
                "current": STATE_LABELS.get(brain.review_state, brain.review_state),
                "wanted": STATE_LABELS[state],
            },
        )
    return None


class _CellError(ApprovalError):
    """A cell that cannot be converted; reported as a RowError, never raised to a user."""

    code = "spreadsheet_cell"


def _text(text):
    return text or None


def _code(text):
    return text.upper()


def _int(text):
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        raise _CellError(_("error_import_integer", default="Write a whole number of working days."))
    return int(number)


def _choice(labels, message):
    inverted = _invert(labels)

    def convert(text):
        if text in inverted:
            return inverted[text]
        if text in labels:
            return text
        raise _CellError(message)

    return convert


_yes_no = _choice(YES_NO_LABELS, _("error_import_yes_no", default="Write 是 or 否."))


def _optional_yes_no(text):
    """是 or 否; an empty cell (a sheet from before the column existed) is 否."""
    return _yes_no(text) if text else False


def _lines(text):
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def _materials(text):
    forms = _invert(MATERIAL_FORM_LABELS)
    required = _invert(REQUIRED_LABELS)
    rows = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (5 - len(parts))
        name, form, copies, needed, notes = parts[:5]
        if len(parts) > 5 or not name or form not in forms or needed not in required:
            raise _CellError(
                _(
                    "error_import_material_line",
                    default="Material line ${number} must read "
                    "名称|原件/复印件/原件及复印件|份数|必要/非必要|备注.",
                    mapping={"number": number},
                )
            )
        if not copies.isdigit() or int(copies) < 1:
            raise _CellError(
                _(
                    "error_import_material_copies",
                    default="Material line ${number}: the number of copies must be 1 or more.",
                    mapping={"number": number},
                )
            )
        rows.append(
            {
                "name": name,
                "form": forms[form],
                "copies": int(copies),
                "required": required[needed],
                "notes": notes or None,
            }
        )
    return rows


def _steps(text):
    rows = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (3 - len(parts))
        step, actor, days = parts[:3]
        if len(parts) > 3 or not step or (days and not days.isdigit()):
            raise _CellError(
                _(
                    "error_import_step_line",
                    default="Step line ${number} must read 环节|办理人|工作日.",
                    mapping={"number": number},
                )
            )
        rows.append({"step": step, "actor": actor or None, "days": int(days) if days else None})
    return rows


_CONVERTERS = {
    "code": _code,
    "statutory_days": _int,
    "promised_days": _int,
    "risk_level": _choice(
        RISK_LEVEL_LABELS, _("error_import_risk_level", default="Write 低, 中 or 高.")
    ),
    "independent_approval": _yes_no,
    "needs_technical_review": _optional_yes_no,
    "needs_hearing": _optional_yes_no,
    "needs_legal_review": _optional_yes_no,
    "state": _choice(
        STATE_LABELS, _("error_import_state", default="Write 草稿, 已发布 or 已暂停.")
    ),
    "materials": _materials,
    "process_steps": _steps,
    "former_steps": _steps,
}

MATTER_FIELDS = (
    "title",
    "description",
    "legal_basis",
    "conditions",
    "materials",
    "statutory_days",
    "promised_days",
    "fee",
    "risk_level",
    "independent_approval",
    "needs_technical_review",
    "needs_hearing",
    "needs_legal_review",
    "contact_window",
    "process_steps",
    "former_steps",
)


def import_rows(matter_list, report):
    """Apply the validated rows of `report` to the matter list (all of them)."""
    if not report.ok:
        raise ValueError("An import with errors is never applied.")
    categories = {category.Title(): category for category in matter_list.objectValues()}
    for values in report.rows:
        category = categories.get(values["category"])
        if category is None:
            category = api.content.create(
                container=matter_list,
                type="MatterCategory",
                id=_category_id(matter_list, values["category"]),
                title=values["category"],
            )
            categories[values["category"]] = category
        brain = find_matter_by_code(values["code"])
        if brain is None:
            matter = api.content.create(
                container=category,
                type="Matter",
                id=values["code"].lower(),
                code=values["code"],
                **{name: _stored(name, values[name]) for name in MATTER_FIELDS},
            )
            report.created.append(values["code"])
        else:
            matter = brain._unrestrictedGetObject()
            if matter.aq_parent != category:
                matter = api.content.move(source=matter, target=category)
            changed = [
                name
                for name in MATTER_FIELDS
                if getattr(matter, name, None) != _stored(name, values[name])
            ]
            for name in changed:
                setattr(matter, name, _stored(name, values[name]))
            if changed:
                matter.reindexObject()
                notify(ObjectModifiedEvent(matter))
                report.updated.append(values["code"])
            else:
                report.unchanged.append(values["code"])
        current = api.content.get_state(matter)
        for transition in STATE_PATHS.get((current, values["state"]), ()):
            api.content.transition(obj=matter, transition=transition)
    return report


def _stored(name, value):
    if name in ("materials", "process_steps", "former_steps"):
        return value or []
    if name == "description":
        return value or ""
    return value


def _category_id(matter_list, title):
    normalized = getUtility(IIDNormalizer).normalize(title) or "category"
    candidate = normalized
    number = 1
    while candidate in matter_list:
        number += 1
        candidate = f"{normalized}-{number}"
    return candidate


def export_table(matter_list):
    """Return the whole matter list as rows of strings, headings first."""
    table = [[column.heading for column in COLUMNS]]
    for category in matter_list.objectValues():
        matters = sorted(category.objectValues(), key=lambda matter: matter.code)
        for matter in matters:
            if not IMatter.providedBy(matter):
                continue
            table.append([_cell(matter, category, column.key) for column in COLUMNS])
    return table


def _cell(matter, category, key):
    value = getattr(matter, key, None)
    if key == "category":
        return category.Title()
    if key == "state":
        return STATE_LABELS.get(api.content.get_state(matter), "")
    if key == "risk_level":
        return RISK_LEVEL_LABELS.get(value, "")
    if key in ("independent_approval", *NOT_SIMPLE_BECAUSE):
        return YES_NO_LABELS[bool(value)]
    if key == "materials":
        return "\n".join(
            "|".join(
                (
                    row["name"],
                    MATERIAL_FORM_LABELS.get(row.get("form"), ""),
                    str(row.get("copies") or 1),
                    REQUIRED_LABELS[bool(row.get("required"))],
                    row.get("notes") or "",
                )
            )
            for row in value or []
        )
    if key in ("process_steps", "former_steps"):
        return "\n".join(
            "|".join(
                (
                    row["step"],
                    row.get("actor") or "",
                    "" if row.get("days") is None else str(row["days"]),
                )
            )
            for row in value or []
        )
    if value is None:
        return ""
    return str(value)


def to_csv(table):
    """Encode a table as UTF-8 CSV with a BOM, so Excel opens the Chinese text."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table):
    """Encode a table as an XLSX workbook with a frozen heading row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "事项清单"
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
