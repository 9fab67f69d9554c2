"""The daily baseline report: a live database against its committed schema baseline.

``driftline schema report`` builds a :class:`DailyReport`, renders it as markdown or HTML and can
POST its JSON summary to a webhook (chat, incident tooling). A failed POST is reported, never
fatal: the exit code is the findings' own.
"""

from driftline.schema_report.model import CriticalObject, DailyReport, critical_status
from driftline.schema_report.render import FORMATS, render_html, render_markdown, render_report
from driftline.schema_report.webhook import SendResult, check_webhook_url, post_json, safe_target

__all__ = [
    "FORMATS",
    "CriticalObject",
    "DailyReport",
    "SendResult",
    "check_webhook_url",
    "critical_status",
    "post_json",
    "render_html",
    "render_markdown",
    "render_report",
    "safe_target",
]
