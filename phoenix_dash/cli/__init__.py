"""The ``phoenix-dash`` command line. Commands parse options, call the library, print; the
command group is the one place where errors become a line and an exit code.

One module per group of verbs: build (build, test-alerts, init), lint, adopt, sync (sync,
diff, pull), preview, grafana (ping, and connecting), prometheus (simulate, check). Each
command imports what it needs when it runs, so `phoenix-dash build` does not pay for the
Grafana client or the linter at start-up.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .. import __version__
from ..errors import PhoenixDashError

EXIT_CODES = """\b
Exit codes:
  0    done; nothing to report (diff: no differences)
  1    done, with findings, differences, conflicts or failed resources
  2    bad input, configuration, credentials or connection: nothing was changed
  130  interrupted (Ctrl-C)"""


class Main(click.Group):
    """The command group, and the boundary of every command: a PhoenixDashError is one line
    and its exit code; an interrupt stops at once, even while requests hang on a server (their
    threads are not waited for), exit 130; a failure nobody foresaw is one line, not a
    traceback (PHOENIX_DASH_DEBUG=1 shows it)."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        if args is None:  # run as the program (the console script, python -m), not in-process
            from .. import workers

            workers.PROCESS_RUNS_ONE_COMMAND = True
        return super().main(args, *rest, **options)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PhoenixDashError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except click.BadParameter as exc:
            variable = _from_environment(exc)
            if variable is None:
                raise
            reason = exc.message.rstrip(".")
            click.echo(f"error: ${variable}: {reason} (it sets {exc.param_hint})", err=True)
            sys.exit(2)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("PHOENIX_DASH_DEBUG") == "1":
                raise
            click.echo(
                f"error: unexpected {type(exc).__name__}: {exc} (a phoenix-dash bug: "
                "please report it; PHOENIX_DASH_DEBUG=1 shows the traceback)",
                err=True,
            )
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: stopped. A write already sent may still land; running "
                "the command again converges.",
                err=True,
            )
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)


def _from_environment(exc: click.BadParameter) -> str | None:
    """The variable a bad option value came from (PHOENIX_DASH_<COMMAND>_<OPTION>), if it
    came from one: click's usage error would name only the option the user never typed."""
    param, ctx = exc.param, exc.ctx
    if param is None or ctx is None or param.name is None:
        return None
    source = ctx.get_parameter_source(param.name)
    if source is not click.core.ParameterSource.ENVIRONMENT or not isinstance(param.envvar, str):
        return None
    exc.param_hint = " / ".join(getattr(param, "opts", []))
    return param.envvar


@click.group(cls=Main, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phoenix-dash")
def main() -> None:
    """Grafana dashboards, alert rules, datasources and notifications as code: grafanalib
    in, Grafana 12/13 out, synced safely."""


from . import (  # noqa: E402 - registers commands
    adopt,
    build,
    grafana,
    lint,
    notifications,
    pictures,
    preview,
    prometheus,
    sync,
)


def _defaults_from_environment() -> None:
    """Every option defaults from PHOENIX_DASH_<COMMAND>_<OPTION>, named after the option as
    users type it (PHOENIX_DASH_SYNC_MESSAGE, PHOENIX_DASH_LINT_FAIL_ON); click's own
    automatic names would follow the Python parameter names instead."""
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar is None:
                flag = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()
                param.envvar = f"PHOENIX_DASH_{name.replace('-', '_').upper()}_{flag}"


_defaults_from_environment()

__all__ = [
    "adopt",
    "build",
    "grafana",
    "lint",
    "main",
    "notifications",
    "pictures",
    "preview",
    "prometheus",
    "sync",
]
