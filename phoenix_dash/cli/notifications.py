"""`phoenix-dash route`: who gets an alert with these labels, from notifications.yaml."""

from __future__ import annotations

import sys

import click

from ..errors import ConfigError, Location
from . import main
from .common import config_option, echo_json, format_option, project_config


@main.command()
@config_option
@click.argument("labels", nargs=-1, required=True, metavar="NAME=VALUE...")
@click.option(
    "--expect",
    metavar="RECEIVER[,RECEIVER...]",
    help="Exit 1 unless the alert reaches exactly these receivers, in this order.",
)
@format_option("json")
def route(config_path: str | None, labels: tuple[str, ...], expect: str | None, fmt: str) -> None:
    """Which contact points an alert with LABELS reaches, through which route, grouped and
    muted how: the answer Grafana's and Alertmanager's routing give (amtool config routes
    test) for the policies in notifications.yaml."""
    from ..notifications.definitions import load_notifications, written_at

    config = project_config(config_path)
    if config.notifications_file is None:
        raise ConfigError(
            "not set: route answers from a notifications.yaml it names",
            Location(config.file, None, "paths.notifications"),
        )
    notifications = load_notifications(
        config.notifications_file, config.display(config.notifications_file)
    )
    alert = dict(_label(text) for text in labels)
    routes = notifications.receivers(alert)
    reached = [r.receiver for r in routes]
    if fmt == "json":
        echo_json(
            {
                "labels": alert,
                "receivers": [
                    {
                        "receiver": r.receiver,
                        "route": written_at(r),
                        "group_by": list(r.group_by) if r.group_by is not None else ["..."],
                        "timers": dict(r.timers),
                        "mute_time_intervals": list(r.mute_time_intervals),
                        "active_time_intervals": list(r.active_time_intervals),
                    }
                    for r in routes
                ],
            }
        )
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in sorted(alert.items())))
        for r in routes:
            grouping = (
                ", ".join(r.group_by or ["nothing"]) if r.group_by is not None else "every label"
            )
            muted = ", ".join(r.mute_time_intervals) or "never"
            click.echo(
                f"  -> {r.receiver}  (route {written_at(r)}; grouped by {grouping}; "
                f"wait {r.timers['group_wait']}, repeat {r.timers['repeat_interval']}; "
                f"muted: {muted})"
            )
    if expect is not None:
        wanted = [name.strip() for name in expect.split(",") if name.strip()]
        if reached != wanted:
            click.echo(
                f"error: reaches {', '.join(reached) or 'nobody'}, expected {', '.join(wanted)}",
                err=True,
            )
            sys.exit(1)


def _label(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.UsageError(f"{text!r}: labels are NAME=VALUE")
    return name.strip(), value
