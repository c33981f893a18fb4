from pathlib import Path

from ecom import settings

ROOT = Path(__file__).resolve().parent.parent


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []


def test_env_overrides_secrets_overrides_default(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('ECOM_TIMEZONE = "Europe/Berlin"\nECOM_MAX_UPLOAD_MB = "5"\n', encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    monkeypatch.delenv("ECOM_TIMEZONE", raising=False)
    monkeypatch.delenv("ECOM_MAX_UPLOAD_MB", raising=False)
    assert settings.get("ECOM_TIMEZONE") == "Europe/Berlin"
    assert settings.get("ECOM_MAX_UPLOAD_MB") == 5
    monkeypatch.setenv("ECOM_TIMEZONE", "America/New_York")
    assert settings.get("ECOM_TIMEZONE") == "America/New_York"
    monkeypatch.delenv("ECOM_SECRETS_FILE")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ECOM_TIMEZONE")
    assert settings.get("ECOM_TIMEZONE") == "Asia/Shanghai"


def test_readme_schema_table_matches_code():
    from ecom import schema

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert schema.markdown() in readme
