"""docs/running.md documents every option and every setting there is (issue "What an
administrator meets", defect 2: options documented nowhere)."""

from __future__ import annotations

from pathlib import Path

from chatport.accounts.settings_registry import SETTINGS
from chatport.config import Config

RUNNING = Path(__file__).resolve().parents[1] / "docs" / "running.md"


def _env_name(name: str) -> str:
    alias = Config.model_fields[name].validation_alias
    if isinstance(alias, str):
        return alias
    if alias is not None:  # AliasChoices
        return str(alias.choices[0])
    return f"CHATPORT_{name.upper()}"


def test_every_configuration_variable_is_documented() -> None:
    text = RUNNING.read_text(encoding="utf-8")
    missing = [_env_name(n) for n in Config.model_fields if f"`{_env_name(n)}" not in text]
    assert missing == [], f"docs/running.md does not mention {missing}"


def test_every_setting_is_documented() -> None:
    text = RUNNING.read_text(encoding="utf-8")
    missing = [setting_id for setting_id in SETTINGS if f"`{setting_id}`" not in text]
    assert missing == [], f"docs/running.md does not mention {missing}"


def test_import_options_have_descriptions() -> None:
    """The settings page shows each import option with its description (one source)."""
    options = Config().import_options()
    assert options and all(o["description"] for o in options), [
        o["id"] for o in options if not o["description"]
    ]
    assert all(d.label and d.description for d in SETTINGS.values())


def test_every_rest_route_is_in_the_api_docs() -> None:
    """docs/api.md names every ``/api/v1/`` route the server answers (issue 13)."""
    from chatport.app import create_app
    from chatport.bootstrap import build_context

    api = (RUNNING.parent / "api.md").read_text(encoding="utf-8")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(Config(data_dir=Path(tmp)), announce=lambda _m: None)
        try:
            app = create_app(ctx, worker=False)
            names = sorted(
                {
                    path.removeprefix("/api/v1/")
                    for path in app.openapi()["paths"]
                    if path.startswith("/api/v1/")
                }
            )
        finally:
            ctx.engine.dispose()
    missing = [n for n in names if f"`{n}`" not in api and f"`{n.split('/')[0]}`" not in api]
    assert len(names) > 80
    assert missing == [], f"docs/api.md does not list {missing}"
