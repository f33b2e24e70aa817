"""Create the service accounts and tokens the tests use on a real Grafana, and print the
environment to run them with:

    python tests/real_grafana_setup.py http://127.0.0.1:3000 admin admin-password
"""

from __future__ import annotations

import sys
import uuid

import niquests


def token_for(base: str, auth: tuple[str, str], role: str) -> str:
    name = f"phoenix-dash-tests-{role.lower()}-{uuid.uuid4().hex[:6]}"
    account = niquests.post(
        f"{base}/api/serviceaccounts", auth=auth, timeout=10, json={"name": name, "role": role}
    )
    account.raise_for_status()
    token = niquests.post(
        f"{base}/api/serviceaccounts/{account.json()['id']}/tokens",
        auth=auth,
        timeout=10,
        json={"name": name},
    )
    token.raise_for_status()
    return str(token.json()["key"])


def main() -> None:
    base, user, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    auth = (user, password)
    print(f"export PHOENIX_DASH_TEST_GRAFANA_URL={base}")
    print(f"export PHOENIX_DASH_TEST_GRAFANA_TOKEN={token_for(base, auth, 'Admin')}")
    print(f"export PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN={token_for(base, auth, 'Viewer')}")


if __name__ == "__main__":
    main()
