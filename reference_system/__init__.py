"""The bundled reference ticket system driftline measures itself against.

Create → automatic dispatch → SLA timeout alert → customer follow-up, on SQLite, PostgreSQL or
MariaDB, failing the way real ones fail: its dispatcher's pickup query depends on the index
``ix_ticket_status_log_status_changed``, and with ``dispatch.on_query_timeout: skip`` it silently
skips the queue when that query times out — the historical incident.
"""
