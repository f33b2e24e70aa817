"""Datasources by uid, with what a real Grafana does to them (S1, S2 of BEHAVIOR.md): an update
replaces the whole record, versions follow the store's rule, secrets are write-only, and
provisioned datasources are read-only."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from .behaviour import Quirks, with_future_field
from .jsoncopy import json_copy
from .model import JSON, Answer, Org

if TYPE_CHECKING:
    import itertools

# The DataSource DTO's fields and the zero values a GET shows for those never set
# (pkg/api/dtos/datasource.go).
DTO_DEFAULTS: JSON = {
    "typeLogoUrl": "",
    "access": "proxy",
    "url": "",
    "user": "",
    "database": "",
    "basicAuth": False,
    "basicAuthUser": "",
    "withCredentials": False,
    "isDefault": False,
    "jsonData": {},
    "secureJsonFields": {},
    "readOnly": False,
}
SERVER_KEYS = ("id", "uid", "orgId", "version", "readOnly", "secureJsonFields")


class DatasourcesMixin:
    quirks: Quirks
    _ids: itertools.count[int]

    def datasource_answer(self, record: JSON) -> JSON:
        """S2: no secureJsonData, ever; every DTO field present."""
        answer = {**json_copy(DTO_DEFAULTS), **json_copy(record)}
        answer.pop("secureJsonData", None)
        return with_future_field(answer, self.quirks)

    def list_datasources(self, org: Org) -> Answer:
        return 200, [self.datasource_answer(d) for d in org.datasources.values()]

    def get_datasource(self, org: Org, uid: str) -> Answer:
        found = org.datasources.get(uid)
        if found is None:
            return 404, {"message": "Data source not found"}
        return 200, self.datasource_answer(found)

    def add_datasource(self, org: Org, body: JSON, read_only: bool = False) -> Answer:
        if any(d["name"] == body.get("name") for d in org.datasources.values()):
            return 409, {"message": "data source with the same name already exists"}
        uid = body.get("uid") or secrets.token_hex(7)
        if uid in org.datasources:
            return 409, {"message": "data source with the same uid already exists"}
        record = {
            k: json_copy(v) for k, v in body.items() if k not in (*SERVER_KEYS, "secureJsonData")
        }
        record.update(
            uid=uid,
            id=next(self._ids),
            orgId=org.id,
            version=1,
            readOnly=read_only,
            secureJsonFields={key: True for key in body.get("secureJsonData") or {}},
        )
        org.datasources[uid] = record
        answer = self.datasource_answer(record)
        return 200, {
            "datasource": answer,
            "id": record["id"],
            "message": "Datasource added",
            "name": record["name"],
        }

    def update_datasource(self, org: Org, uid: str, body: JSON) -> Answer:
        existing = org.datasources.get(uid)
        if existing is None:
            return 404, {"message": "Data source not found"}
        if existing.get("readOnly") and "S1" in self.quirks:
            return 403, {"message": "Cannot update read-only data source"}
        # store.go: the row is updated only where stored version < sent version + 1 (no version
        # sent: no check), and the new version is the sent one + 1 (so 1 without a version).
        sent = int(body.get("version") or 0)
        if sent and existing["version"] > sent:
            return 409, {
                "message": "Datasource has already been updated by someone else. "
                "Please reload and try again"
            }
        if any(d["name"] == body.get("name") for u, d in org.datasources.items() if u != uid):
            return 409, {
                "message": "Failed to update datasource: data source with the same "
                "name already exists"
            }
        secure = body.get("secureJsonData") or {}
        if "S1" in self.quirks:  # the whole record is replaced: fields left out are reset
            fields = {
                k: json_copy(v)
                for k, v in body.items()
                if k not in (*SERVER_KEYS, "secureJsonData")
            }
        else:
            fields = {**existing, **{k: v for k, v in body.items() if k != "secureJsonData"}}
        # Secrets not sent are kept (fillWithSecureJSONData).
        fields.update(
            uid=uid,
            id=existing["id"],
            orgId=org.id,
            readOnly=False,
            version=sent + 1 if "S1" in self.quirks else existing["version"] + 1,
            secureJsonFields={
                **existing.get("secureJsonFields", {}),
                **{key: True for key in secure},
            },
        )
        org.datasources[uid] = fields
        answer = self.datasource_answer(fields)
        return 200, {
            "datasource": answer,
            "id": fields["id"],
            "message": "Datasource updated",
            "name": fields["name"],
        }

    def delete_datasource(self, org: Org, uid: str) -> Answer:
        existing = org.datasources.get(uid)
        if existing is None:
            return 404, {"message": "Data source not found"}
        if existing.get("readOnly") and "S1" in self.quirks:
            return 403, {"message": "Cannot delete read-only data source"}
        del org.datasources[uid]
        return 200, {"message": "Data source deleted"}
