import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# One invalid value per setting: each must stop the app with a line naming the setting.
INVALID = {
    "ECOM_WAREHOUSE": "  ",
    "ECOM_ENGINE": "postgres",
    "ECOM_SPARK_MASTER": "mesos://x:5050",
    "ECOM_SPARK_MEMORY": "4GB",
    "ECOM_LAKE": "s3://bucket/lake",
    "ECOM_MEMORY_LIMIT": "lots",
    "ECOM_TIMEZONE": "Mars/Olympus",
    "ECOM_CURRENCY": "yuan",
    "ECOM_MAX_UPLOAD_MB": "-5",
    "ECOM_MAX_COLUMNS": "two thousand",
    "ECOM_LANG": "fr",
    "ECOM_PASSWORD": "short",
    "ECOM_ADMINS": "boss",
    "ECOM_ROLE_CLAIM": "roles[0]",
    "ECOM_SHOPS_CLAIM": "a..b",
    "ECOM_TRUSTED_PROXIES": "10.0.0.300",
    "ECOM_SQL_TIMEOUT_S": "0",
    "ECOM_SQL_ROW_CAP": "1e9",
    "ECOM_OUR_BRANDS": "a\nb",
    "ECOM_LEAD_TIME_DAYS": "400",
    "ECOM_SCORING_THREADS": "0",
    "ECOM_PROMO_618": "06-01",
    "ECOM_PROMO_1111": "13-01:14-01",
    "ECOM_REVIEW_MODEL": "../../etc",
    "ECOM_RECSYS_MODEL": "x\ty",
}


def test_every_setting_has_an_invalid_example():
    assert sorted(INVALID) == sorted(s.name for s in settings.SETTINGS)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_value_stops_with_one_line_naming_it(name, monkeypatch, tmp_path):
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv(name, INVALID[name])
    with pytest.raises(settings.SettingError) as caught:
        settings.check()
    message = str(caught.value)
    assert message.startswith(f"{name} = ") and "\n" not in message
    assert "environment variable" in message


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_value_in_the_secrets_file_names_the_file(name, monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"{name} = {json.dumps(INVALID[name])}\n", encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    monkeypatch.delenv(name, raising=False)
    with pytest.raises(settings.SettingError, match=re.escape(str(secrets))):
        settings.get(name)


def test_defaults_pass(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "none.toml"))
    for s in settings.SETTINGS:
        monkeypatch.delenv(s.name, raising=False)
    settings.check()
    assert settings.sign_in_configured() is False


def test_unparsable_secrets_file_stops_everything(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('ECOM_PASSWORD = "correct horse"\n[auth\nclient_id = 1\n', encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    with pytest.raises(settings.SettingError, match=r"secrets.toml: cannot be read as TOML"):
        settings.check()
    with pytest.raises(settings.SettingError):
        settings.sign_in_configured()  # never "no sign-in, so open"


AUTH_OK = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "app",
           "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


@pytest.mark.parametrize(("change", "expected"), [
    ({"cookie_secret": "short"}, "cookie_secret must be at least 32 characters"),
    ({"redirect_uri": "http://127.0.0.1:8501/"}, "redirect_uri must be http(s)://<host>/oauth2callback"),
    ({"client_secret": ""}, "[auth] names no provider"),
    ({"redirect_uri": ""}, "[auth] needs redirect_uri"),
])
def test_auth_table_is_checked(change, expected, monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    table = {**AUTH_OK, **change}
    secrets.write_text("[auth]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items()), encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    with pytest.raises(settings.SettingError, match=re.escape(expected)):
        settings.check()


def test_named_provider_missing_a_key(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "' + "y" * 40 + '"\n'
                       '[auth.keycloak]\nclient_id = "a"\nserver_metadata_url = "http://127.0.0.1:9/x"\n', encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    with pytest.raises(settings.SettingError, match=re.escape("[auth.keycloak] needs client_secret")):
        settings.check()


def test_cli_stops_at_start_up_with_one_line(tmp_path):
    env = {**os.environ, "ECOM_SECRETS_FILE": str(tmp_path / "none.toml"), "ECOM_TIMEZONE": "Mars/Olympus"}
    done = subprocess.run([sys.executable, "-m", "ecom", "kpis", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["ecom: ECOM_TIMEZONE = 'Mars/Olympus' (environment variable): "
                                                "must be an IANA time zone such as Asia/Shanghai"]
