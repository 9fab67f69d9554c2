"""Every HTML page driftline writes carries a Content-Security-Policy that allows no script."""

from __future__ import annotations

from pathlib import Path

import driftline

CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
)


def test_every_html_template_has_the_csp():
    root = Path(driftline.__file__).parent
    templates = sorted(root.rglob("*.html.j2"))
    assert len(templates) >= 2
    for template in templates:
        head = template.read_text().split("</head>")[0]
        assert CSP in head, template
