"""The due-diligence report as PDF (reportlab) and XLSX (openpyxl), drawn from a snapshot only.

Both are byte-for-byte reproducible from the snapshot: the PDF is written in reportlab's
invariant mode (no creation time, fixed document id) and the XLSX carries the issue time as
its document dates and in every entry of its zip. The SHA-256 of the snapshot is printed in
both, on every page of the PDF.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cases.choices import ClosureReason
from companies.models import NominationStatus
from geo.models import SiteKind
from monitoring.choices import CATEGORY_LABELS


def _steps() -> list[tuple[str, str]]:
    return [
        (
            _("Step 1. Strong company management systems"),
            _(
                "Your company takes part in the Child Rights Action Hub: it funds community "
                "monitoring and remediation, and nominates its suppliers so that the sites they "
                "operate or buy from are monitored."
            ),
        ),
        (
            _("Step 2. Identify and assess risks in the supply chain"),
            _(
                "The suppliers and sites of your chain known to the programme, and the children "
                "found in child labour at those sites during the period."
            ),
        ),
        (
            _("Step 3. Respond to identified risks: remediation"),
            _(
                "What became of the children: referral to an accredited agency, an agreed plan, "
                "follow-up visits and the children no longer in child labour."
            ),
        ),
        (
            _("Step 4. Independent verification"),
            _(
                "Every record behind these figures is kept with an append-only audit trail "
                "open to independent auditors. The snapshot hash below identifies the exact "
                "figures of this report; the Hub can show how each was computed."
            ),
        ),
        (
            _("Step 5. Report publicly"),
            _(
                "The figures for the whole programme, which you may publish alongside your own, "
                "with the definitions and the suppression rule of the annex."
            ),
        ),
    ]


def _label(code: str) -> str:
    labels: dict[str, Any] = {
        **{str(key): value for key, value in CATEGORY_LABELS.items()},
        **dict(ClosureReason.choices),
        **dict(SiteKind.choices),
        **dict(NominationStatus.choices),
        "female": _("Girls"),
        "male": _("Boys"),
        "other": _("other ages"),
    }
    return str(labels.get(code, code))


def _shown(value: Any) -> str:
    if value == "<10":
        return _("fewer than 10")
    if value == "suppressed":
        return _("not shown")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# PDF -----------------------------------------------------------------------------------------


def render_pdf(snapshot: dict[str, Any], sha256: str) -> bytes:
    with translation.override(snapshot["language"]):
        return _pdf(snapshot, sha256)


def _table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f7")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _chart(series: list[list[Any]]) -> Drawing:
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 38 * mm
    chart.data = [[value if isinstance(value, int) else 0 for _month, value in series] or [0]]
    chart.categoryAxis.categoryNames = [month[2:] for month, _value in series] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1f6f8b")
    drawing.add(chart)
    return drawing


def _section_flowables(section: dict[str, Any], styles: Any) -> list[Any]:
    out: list[Any] = [Paragraph(section["title"], styles["Heading3"])]
    rows = [[_("Figure"), _("Count")]]
    rows += [[label, _shown(value)] for label, value in section["headline"].items()]
    rows += [
        [label, _shown(value) + (" %" if isinstance(value, float) else "")]
        for label, value in section["rates"].items()
    ]
    rows.append(
        [
            _("Median days from identification to first service"),
            _shown(section["median_days_to_first_service"]),
        ]
    )
    out.append(_table(rows, [120 * mm, 40 * mm]))
    out.append(Spacer(1, 3 * mm))
    bands = ["5-11", "12-14", "15-17", "other"]
    sex_rows = [[_("Children identified"), *[_label(band) for band in bands]]]
    for sex in ("female", "male"):
        sex_rows.append(
            [
                _label(sex),
                *[_shown(section["identified_by_sex_and_age"][f"{sex}/{band}"]) for band in bands],
            ]
        )
    sex_rows.append([_("Total"), _shown(section["identified_total"]), "", "", ""])
    out.append(_table(sex_rows))
    out.append(Spacer(1, 3 * mm))
    category_rows = [[_("Category"), _("Children")]]
    category_rows += [
        [_label(code), _shown(value)] for code, value in section["identified_by_category"].items()
    ]
    closure_rows = [[_("Closure reason"), _("Cases")]]
    closure_rows += [
        [_label(code), _shown(value)] for code, value in section["closures_by_reason"].items()
    ]
    out.append(_table(category_rows, [120 * mm, 40 * mm]))
    out.append(Spacer(1, 3 * mm))
    out.append(_table(closure_rows, [120 * mm, 40 * mm]))
    out.append(Spacer(1, 5 * mm))
    return out


def _pdf(snapshot: dict[str, Any], sha256: str) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = _("Human-rights due diligence report")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{title}: {snapshot['company']['name']}",
        author="Kinga",
        invariant=1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
    )
    footer = _("Data snapshot SHA-256: %(hash)s") % {"hash": sha256}

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    sections = {section["key"]: section for section in snapshot["sections"]}
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(snapshot["company"]["name"], styles["Heading2"]),
        Paragraph(
            _("Period: %(start)s to %(end)s. Issued %(issued)s. Rule set %(ruleset)s.")
            % {
                "start": snapshot["period"]["start"],
                "end": snapshot["period"]["end"],
                "issued": snapshot["issued_at"],
                "ruleset": snapshot["ruleset"],
            },
            styles["Normal"],
        ),
        Paragraph(footer, styles["Code"]),
        Spacer(1, 6 * mm),
    ]
    steps = _steps()
    chain = snapshot["supply_chain"]
    # Step 1
    story += [Paragraph(steps[0][0], styles["Heading2"]), Paragraph(steps[0][1], styles["Normal"])]
    nominations = [[_("Nomination status"), _("Suppliers")]]
    nominations += [[_label(code), str(n)] for code, n in chain["nominations"].items()]
    story += [Spacer(1, 3 * mm), _table(nominations, [120 * mm, 40 * mm])]
    # Step 2
    story += [Paragraph(steps[1][0], styles["Heading2"]), Paragraph(steps[1][1], styles["Normal"])]
    tiers = [[_("Tier"), _("Suppliers")]]
    tiers += [[str(tier), str(n)] for tier, n in chain["suppliers_by_tier"].items()]
    kinds = [[_("Kind of site"), _("Sites")]]
    kinds += [[_label(kind), str(n)] for kind, n in chain["sites_by_kind"].items()]
    story += [Spacer(1, 3 * mm), _table(tiers, [120 * mm, 40 * mm]), Spacer(1, 3 * mm)]
    story += [_table(kinds, [120 * mm, 40 * mm]), Spacer(1, 3 * mm)]
    story.append(
        KeepTogether(
            [
                Paragraph(_("Children identified at your sites, by month"), styles["Heading4"]),
                _chart(snapshot["monthly_identified"]["chain"]),
            ]
        )
    )
    if "chain" in sections:
        story += _section_flowables(sections["chain"], styles)
    # Step 3
    story += [Paragraph(steps[2][0], styles["Heading2"]), Paragraph(steps[2][1], styles["Normal"])]
    cohorts = [s for s in snapshot["sections"] if s["key"].startswith("cohort-")]
    if not cohorts:
        story.append(Paragraph(_("Your company sponsors no cohort yet."), styles["Italic"]))
    for section in cohorts:
        story += _section_flowables(section, styles)
    # Step 4
    story += [Paragraph(steps[3][0], styles["Heading2"]), Paragraph(steps[3][1], styles["Normal"])]
    story.append(Paragraph(footer, styles["Code"]))
    # Step 5
    story += [Paragraph(steps[4][0], styles["Heading2"]), Paragraph(steps[4][1], styles["Normal"])]
    story.append(
        KeepTogether(
            [
                Paragraph(_("Children identified in the programme, by month"), styles["Heading4"]),
                _chart(snapshot["monthly_identified"]["programme"]),
            ]
        )
    )
    if "programme" in sections:
        story += _section_flowables(sections["programme"], styles)
    # Annex
    story += [Paragraph(_("Annex: methodology"), styles["Heading2"])]
    story += [Paragraph(text, styles["Normal"]) for text in snapshot["methodology"]]
    story += [Paragraph(_("Annex: suppression rule"), styles["Heading2"])]
    story.append(Paragraph(snapshot["suppression_rule"], styles["Normal"]))
    story += [Paragraph(_("Annex: definitions"), styles["Heading2"])]
    for item in snapshot["definitions"]:
        text = f"<b>{item['name']}</b>: {item['definition']}"
        if item["numerator"] and item["denominator"]:
            text += " " + _("(%(numerator)s ÷ %(denominator)s)") % item
        story.append(Paragraph(text, styles["Normal"]))
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# XLSX ----------------------------------------------------------------------------------------


def render_xlsx(snapshot: dict[str, Any], sha256: str) -> bytes:
    with translation.override(snapshot["language"]):
        return _fixed_zip(_xlsx(snapshot, sha256), datetime.fromisoformat(snapshot["issued_at"]))


def _xlsx(snapshot: dict[str, Any], sha256: str) -> bytes:
    workbook = Workbook()
    issued = datetime.fromisoformat(snapshot["issued_at"]).replace(tzinfo=None)
    workbook.properties.created = issued
    workbook.properties.modified = issued
    workbook.properties.creator = "Kinga"
    bold = Font(bold=True)
    summary = workbook.active
    assert summary is not None
    summary.title = _("Report")[:31]
    summary.append([_("Human-rights due diligence report")])
    summary["A1"].font = bold
    summary.append([_("Company"), snapshot["company"]["name"]])
    summary.append([_("From"), snapshot["period"]["start"]])
    summary.append([_("To"), snapshot["period"]["end"]])
    summary.append([_("Issued"), snapshot["issued_at"]])
    summary.append([_("Rule set"), snapshot["ruleset"]])
    summary.append([_("Data snapshot SHA-256"), sha256])
    summary.append([])
    summary.append([_("Suppression rule"), snapshot["suppression_rule"]])
    for step, text in _steps():
        summary.append([step, text])
    for section in snapshot["sections"]:
        sheet = workbook.create_sheet(section["key"][:31])
        sheet.append([section["title"]])
        sheet["A1"].font = bold
        sheet.append([_("Figure"), _("Value")])
        for label, value in section["headline"].items():
            sheet.append([label, value])
        for label, value in section["rates"].items():
            sheet.append([f"{label} (%)", value])
        sheet.append(
            [
                _("Median days from identification to first service"),
                section["median_days_to_first_service"],
            ]
        )
        sheet.append([])
        sheet.append([_("Children identified by sex and age band")])
        for key, value in section["identified_by_sex_and_age"].items():
            sex, band = key.split("/")
            sheet.append([f"{_label(sex)}, {_label(band)}", value])
        sheet.append([_("Total"), section["identified_total"]])
        sheet.append([])
        for code, value in section["identified_by_category"].items():
            sheet.append([_label(code), value])
        sheet.append([])
        for code, value in section["closures_by_reason"].items():
            sheet.append([_label(code), value])
    monthly = workbook.create_sheet(_("By month")[:31])
    monthly.append([_("Month"), _("Identified at your sites"), _("Identified, programme")])
    programme = dict(snapshot["monthly_identified"]["programme"])
    for month, value in snapshot["monthly_identified"]["chain"]:
        monthly.append([month, value, programme.get(month)])
    definitions = workbook.create_sheet(_("Definitions")[:31])
    definitions.append(
        [_("Code"), _("Indicator"), _("Definition"), _("Numerator"), _("Denominator")]
    )
    for item in snapshot["definitions"]:
        definitions.append(
            [item["code"], item["name"], item["definition"], item["numerator"], item["denominator"]]
        )
    for text in snapshot["methodology"]:
        definitions.append([_("Methodology"), text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fixed_zip(data: bytes, moment: datetime) -> bytes:
    """The same zip with every entry dated `moment`: identical bytes for identical content."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                # openpyxl stamps the save time here, whatever the properties say.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(info, content)
    return out.getvalue()
