"""HTTP client of the credit platforms' exchange interface (format: cms/credit/EXCHANGE.md)."""

import hashlib
import hmac
import json
import time

import requests


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


_session = requests.Session()


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
            raise CreditPlatformUnavailable(f"网络错误或超时：{exc.__class__.__name__}: {exc}") from exc
        if resp.status_code >= 500:
            raise CreditPlatformUnavailable(f"平台返回 {resp.status_code}：{resp.text[:300]}")
        try:
            data = resp.json()
        except ValueError as exc:
            if resp.status_code >= 400:
                raise CreditPlatformRejected(resp.text[:500] or f"HTTP {resp.status_code}", resp.status_code) from exc
            raise CreditPlatformUnavailable(f"平台返回的不是 JSON：{resp.text[:200]}") from exc
        if resp.status_code >= 400:
            raise CreditPlatformRejected(str(data.get("reason") or data), resp.status_code)
        return data

    def deliver(self, document: dict) -> dict:
        """POST one record; returns ``{"ack_id": ..., "duplicate": bool}``."""
        body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        data = self._request("POST", "records", body)
        if not data.get("ack_id"):
            raise CreditPlatformUnavailable(f"平台回执缺少 ack_id：{data}")
        return data

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
