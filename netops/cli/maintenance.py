"""``netops maintenance``: planned windows from the inventory and ad-hoc ones as Alertmanager silences."""

from __future__ import annotations

import datetime as dt
import getpass

import typer

from netops.cli.output import console, emit_json, handle_errors, state, table
from netops.monitor.maintenance import (
    MaintenanceInvalid,
    add_silence,
    end_silence,
    list_silences,
    parse_duration,
    planned_windows,
)

app = typer.Typer(help="Maintenance windows: planned (inventory) and ad hoc (Alertmanager silences).",
                  no_args_is_help=True)
AM = typer.Option("http://127.0.0.1:9093", "--alertmanager", envvar="NETOPS_ALERTMANAGER",
                  help="Alertmanager URL.")


def _when(text: str | None, name: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise MaintenanceInvalid(f"--{name} {text!r} is not a time; write 2026-12-20T22:00+07:00") from None


@app.command("list")
@handle_errors
def list_(ctx: typer.Context, alertmanager: str = AM,
          expired: bool = typer.Option(False, "--expired", help="Also silences that ended.")) -> None:
    """Planned windows from the inventory and the silences in Alertmanager."""
    st = state(ctx)
    planned = planned_windows(st.inventory())
    silences = list_silences(alertmanager, all_states=expired)
    if st.json:
        emit_json({"planned": planned, "silences": [s.__dict__ for s in silences]})
        return
    console.print(table("planned (inventory)", ["id", "covers", "when", "reason"],
                        [[r["id"], r["covers"], r["when"], r["reason"]] for r in planned]))
    console.print(table(f"silences ({alertmanager})", ["id", "state", "covers", "from", "until", "author", "comment"],
                        [[s.id, s.state, " ".join(s.matchers), f"{s.starts:%Y-%m-%d %H:%M}Z",
                          f"{s.ends:%Y-%m-%d %H:%M}Z", s.author, s.comment] for s in silences]))


@app.command()
@handle_errors
def add(
    ctx: typer.Context,
    site: list[str] | None = typer.Option(None, "--site", help="Site id (repeatable)."),
    kecamatan: list[str] | None = typer.Option(None, "--kecamatan", help="Kecamatan (repeatable)."),
    provider: list[str] | None = typer.Option(None, "--provider", help="Provider (repeatable)."),
    link: list[str] | None = typer.Option(None, "--link", help="Link id (repeatable)."),
    duration: str | None = typer.Option(None, help="How long from --start (2h, 90m, 1d)."),
    start: str | None = typer.Option(None, help="ISO time with offset (default now)."),
    until: str | None = typer.Option(None, help="ISO time with offset, instead of --duration."),
    comment: str = typer.Option(..., help="What the work is (ticket, reason)."),
    author: str = typer.Option(getpass.getuser(), help="Who is doing it (default: your login)."),
    alertmanager: str = AM,
) -> None:
    """Silence the alerts of what the work covers, with author and comment."""
    st = state(ctx)
    begin = _when(start, "start") or dt.datetime.now(dt.UTC)
    end = _when(until, "until")
    if (end is None) == (duration is None):
        raise MaintenanceInvalid("give either --duration or --until")
    if end is None:
        end = begin + parse_duration(duration or "")
    ids = add_silence(alertmanager, st.inventory(), {"site": list(site or []), "kecamatan": list(kecamatan or []),
                                                    "provider": list(provider or []), "link": list(link or [])},
                      author=author, comment=comment, start=begin, end=end)
    if st.json:
        emit_json({"id": ids})
        return
    console.print(f"maintenance {ids} until {end.astimezone(dt.UTC):%Y-%m-%d %H:%M}Z; end it early with "
                  f"'netops maintenance end {ids}'")


@app.command()
@handle_errors
def end(ctx: typer.Context, silence_id: str = typer.Argument(..., help="Id printed by 'maintenance add'."),
        alertmanager: str = AM) -> None:
    """End an ad-hoc maintenance now (expire its silence)."""
    end_silence(alertmanager, silence_id)
    if state(ctx).json:
        emit_json({"ended": silence_id})
    else:
        console.print(f"maintenance {silence_id} ended")
