"""HTTP client of the credit platforms' exchange interface (format: cms/credit/EXCHANGE.md)."""

import hashlib
import hmac
import json
import time

import requests
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter


class CreditPlatformError(Exception):
    pass


class CreditPlatformUnavailable(CreditPlatformError):
    """Network error, timeout or 5xx: worth retrying."""


class CreditPlatformRejected(CreditPlatformError):
    """4xx: the platform refused the record; retrying the same content will not help."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _pooled_session() -> requests.Session:
    """One keep-alive connection pool per process, large enough for every worker thread (urllib3 keeps
    ``pool_maxsize`` open connections per host and opens more, unkept, beyond that)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=32)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_session = _pooled_session()
# Base URLs whose platform answered 404/405 to POST records/batch: sent one record per request instead.
_no_batch: set[str] = set()


class CreditPlatformClient:
    def __init__(self, endpoint_url: str, key: bytes, timeout: float = 10.0, session=None):
        self.base = endpoint_url if endpoint_url.endswith("/") else endpoint_url + "/"
        self.key = key
        self.timeout = timeout
        self.session = session or _session

    def _request(self, method: str, path: str, body: bytes = b"", params=None):
        ts = str(int(time.time()))
        headers = {"X-Zhunru-Timestamp": ts, "X-Zhunru-Signature": "sha256=" + sign(self.key, ts, body),
                   "Content-Type": "application/json; charset=utf-8"}
        try:
            resp = self.session.request(method, self.base + path, data=body or None, params=params,
                                        headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise CreditPlatformUnavailable(_("网络错误或超时：{name__}: {exc}").format(name__=exc.__class__.__name__, exc=exc)) from exc
        if resp.status_code >= 500:
            raise CreditPlatformUnavailable(_("平台返回 {status_code}：{value}").format(status_code=resp.status_code, value=resp.text[:300]))
        try:
            data = resp.json()
        except ValueError as exc:
            if resp.status_code >= 400:
                raise CreditPlatformRejected(resp.text[:500] or f"HTTP {resp.status_code}", resp.status_code) from exc
            raise CreditPlatformUnavailable(_("平台返回的不是 JSON：{value}").format(value=resp.text[:200])) from exc
        if resp.status_code >= 400:
            raise CreditPlatformRejected(str(data.get("reason") or data), resp.status_code)
        return data

    def deliver(self, document: dict) -> dict:
        """POST one record; returns ``{"ack_id": ..., "duplicate": bool}``."""
        body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        data = self._request("POST", "records", body)
        if not data.get("ack_id"):
            raise CreditPlatformUnavailable(_("平台回执缺少 ack_id：{data}").format(data=data))
        return data

    def deliver_many(self, documents: list[dict]) -> list[dict]:
        """Send records in one ``POST records/batch`` (one answer per record, in order), or one request each
        over the kept-alive connection when the platform has no batch endpoint (EXCHANGE.md).

        Each answer is ``{"record_id", "ack_id", "duplicate"}`` (accepted), ``{"record_id", "status",
        "reason"}`` (rejected, 4xx) or ``{"record_id", "unavailable"}`` (not sent: a record-by-record send
        stopped at a network error or 5xx). CreditPlatformUnavailable when the batch request itself failed:
        nothing of it is known to have arrived, and resending is harmless (idempotent by record id)."""
        if not documents:
            return []
        if self.base not in _no_batch:
            body = json.dumps({"records": documents}, ensure_ascii=False, sort_keys=True).encode()
            try:
                results = self._request("POST", "records/batch", body).get("results")
            except CreditPlatformRejected as exc:
                if exc.status not in (404, 405):
                    raise
                _no_batch.add(self.base)
            else:
                if not isinstance(results, list) or len(results) != len(documents):
                    raise CreditPlatformUnavailable(_("平台批量回执条数不符：应为 {count} 条").format(count=len(documents)))
                for doc, res in zip(documents, results, strict=True):
                    res["record_id"] = doc["record_id"]
                    if "status" not in res and not res.get("ack_id"):
                        raise CreditPlatformUnavailable(_("平台回执缺少 ack_id：{res}").format(res=res))
                return results
        results = []
        for doc in documents:
            if results and "unavailable" in results[-1]:
                results.append({"record_id": doc["record_id"], "unavailable": results[-1]["unavailable"]})
                continue
            try:
                results.append({"record_id": doc["record_id"], **self.deliver(doc)})
            except CreditPlatformRejected as exc:
                results.append({"record_id": doc["record_id"], "status": exc.status, "reason": exc.reason})
            except CreditPlatformUnavailable as exc:
                results.append({"record_id": doc["record_id"], "unavailable": str(exc)})
        return results

    def acknowledged(self, record_ids: list[str]) -> dict[str, str]:
        """The platform's ack ids for the given record ids (absent = the platform does not have it)."""
        body = json.dumps({"record_ids": record_ids}).encode()
        return self._request("POST", "records/lookup", body).get("acks", {})

    def feed(self, cursor: str, limit: int = 200) -> dict:
        """``{"events": [...], "next_cursor": "..."}`` after ``cursor``."""
        return self._request("GET", "feed", params={"cursor": cursor or "0", "limit": limit})


def for_platform(platform) -> CreditPlatformClient:
    from zhunru.credit import conf

    return CreditPlatformClient(platform.endpoint_url, conf.resolve_key(platform.hmac_key_ref),
                                timeout=float(conf.get("TIMEOUT_SECONDS")))
