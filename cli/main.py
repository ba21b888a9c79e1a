"""`tenderctl`: operator commands for the tender service."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from core.settings import get_settings
from core.tokens import issue_token
from models.actors import Role

app = typer.Typer(help="Operate the tender service.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Operate the tender service."""


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="broker, backoffice, insurer, admin, ops")],
    sub: Annotated[str, typer.Option(help="The caller's user id")],
    org: Annotated[str | None, typer.Option(help="The caller's organisation")] = None,
    orgs: Annotated[
        list[str] | None,
        typer.Option("--orgs", help="Organisations a backoffice agent serves"),
    ] = None,
    insurer_id: Annotated[
        str | None, typer.Option(help="The insurer an insurer user speaks for")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    hours: Annotated[float, typer.Option(min=0.01, help="Validity in hours")] = 8,
) -> None:
    """Print a signed bearer token for the API (TENDER_JWT_* settings)."""
    if role is Role.SYSTEM:
        raise typer.BadParameter("system tokens are not issued", param_hint="--role")
    if role is Role.BROKER and not org:
        raise typer.BadParameter("a broker needs --org", param_hint="--org")
    if role is Role.INSURER and not insurer_id:
        raise typer.BadParameter(
            "an insurer needs --insurer-id", param_hint="--insurer-id"
        )
    typer.echo(
        issue_token(
            get_settings(),
            sub=sub,
            role=role,
            org=org,
            orgs=orgs,
            insurer_id=insurer_id,
            name=name,
            ttl=timedelta(hours=hours),
        )
    )


if __name__ == "__main__":
    app()
