"""A credit-platform simulator speaking the exchange format of EXCHANGE.md, over real HTTP.

Run it with ``python manage.py credit_simulator --port 8765``. Every path prefix is a separate
platform ("channel"): ``http://127.0.0.1:8765/national/records`` and ``.../jiangxi/records`` keep
separate stores. Failure injection: ``POST /_control`` with ``{"mode": "timeout"|"500"|"400"|
"duplicate_ack"|"slow", "count": n, "reason": "...", "delay": seconds}`` ("slow" answers normally after the delay); ``{"mode": "reset"}`` clears all.
Feed events are added with ``POST /<channel>/_feed`` ``{"events": [...]}`` (stored as given, so
malformed events can be served too).
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext as _

# Record kinds of EXCHANGE.md: decisions (双公示), dishonesty records, and "repair" (take a record off).
RECORD_KINDS = ("licensing", "penalty", "dishonesty", "repair")
# Records per ``POST records/batch`` request at most (a larger batch is answered 413).
MAX_BATCH = 500


class State:
    def __init__(self, key: bytes):
        self.key = key
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.received: dict[tuple[str, str], dict] = {}  # (channel, record_id) -> {"ack_id", "document"}
        self.posts = 0  # every record received, duplicates included (one per record of a batch)
        self.batches = 0  # POST records/batch requests answered 200
        self.batch_endpoint = True  # False: records/batch answers 404, as a platform without one would
        self.in_flight = 0  # batch requests being answered now, and the most at once
        self.max_in_flight = 0
        self.failures: list[dict] = []
        self.feeds: dict[str, list[dict]] = {}
        self.withdrawn: dict[tuple[str, str], str] = {}  # (channel, document_number) -> reason (repair records)

    def take_failure(self) -> dict | None:
        with self.lock:
            if not self.failures:
                return None
            f = self.failures[0]
            f["count"] -= 1
            if f["count"] <= 0:
                self.failures.pop(0)
            return dict(f)


class Handler(BaseHTTPRequestHandler):
    server_version = "ZhunruCreditSimulator/1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written separately: no 40 ms delayed-ACK stalls

    def log_message(self, fmt, *args):  # quiet
        pass

    @property
    def state(self) -> State:
        return self.server.state

    def _send(self, status: int, data: dict):
        body = json.dumps(data, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.close_connection = True

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _verified(self, body: bytes) -> bool:
        ts = self.headers.get("X-Zhunru-Timestamp", "")
        got = self.headers.get("X-Zhunru-Signature", "").removeprefix("sha256=")
        want = hmac.new(self.state.key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(got, want)

    def _split(self):
        parts = urlsplit(self.path)
        segs = [s for s in parts.path.split("/") if s]
        return parts, segs

    def do_GET(self):
        parts, segs = self._split()
        if segs == ["_state"]:
            with self.state.lock:
                return self._send(200, {"received": len(self.state.received), "posts": self.state.posts,
                                        "batches": self.state.batches})
        if not self._verified(b""):
            return self._send(401, {"reason": _("签名验证失败")})
        if segs and segs[-1] == "feed":
            channel = "/".join(segs[:-1])
            q = parse_qs(parts.query)
            cursor = int((q.get("cursor") or ["0"])[0] or 0)
            limit = int((q.get("limit") or ["100"])[0])
            with self.state.lock:
                feed = self.state.feeds.get(channel, [])
                page = [{"cursor": str(i + 1), "event": e} for i, e in enumerate(feed) if i + 1 > cursor][:limit]
            return self._send(200, {"events": page, "next_cursor": page[-1]["cursor"] if page else str(cursor)})
        return self._send(404, {"reason": _("无此接口")})

    def do_POST(self):
        parts, segs = self._split()
        body = self._body()
        if segs == ["_control"]:
            cmd = json.loads(body or b"{}")
            with self.state.lock:
                if cmd.get("mode") == "reset":
                    self.state.reset()
                else:
                    self.state.failures.append({"mode": cmd["mode"], "count": int(cmd.get("count", 1)),
                                                "reason": cmd.get("reason", "数据校验未通过"),
                                                "delay": float(cmd.get("delay", 3))})
            return self._send(200, {"ok": True})
        if segs and segs[-1] == "_feed":
            channel = "/".join(segs[:-1])
            with self.state.lock:
                self.state.feeds.setdefault(channel, []).extend(json.loads(body)["events"])
            return self._send(200, {"ok": True})
        if not self._verified(body):
            return self._send(401, {"reason": _("签名验证失败")})
        if len(segs) >= 2 and segs[-2:] == ["records", "lookup"]:
            channel = "/".join(segs[:-2])
            ids = json.loads(body).get("record_ids", [])
            with self.state.lock:
                acks = {i: self.state.received[(channel, i)]["ack_id"] for i in ids if (channel, i) in self.state.received}
            return self._send(200, {"acks": acks})
        if len(segs) >= 2 and segs[-2:] == ["records", "batch"] and self.state.batch_endpoint:
            return self._batch("/".join(segs[:-2]), body)
        if not segs or segs[-1] != "records":
            return self._send(404, {"reason": _("无此接口")})
        channel = "/".join(segs[:-1])
        failure = self.state.take_failure()
        if failure and failure["mode"] == "timeout":
            time.sleep(failure["delay"])
            return self._send(504, {"reason": _("处理超时")})
        if failure and failure["mode"] == "500":
            return self._send(500, {"reason": _("平台内部错误")})
        if failure and failure["mode"] == "slow":
            time.sleep(failure["delay"])
        try:
            doc = json.loads(body)
        except ValueError:
            return self._send(400, {"reason": _("记录格式错误：不是 JSON")})
        status, data = self._accept(channel, doc, failure)
        return self._send(status, data)

    def _batch(self, channel: str, body: bytes):
        """``POST <channel>/records/batch``: one signed request, one answer per record (EXCHANGE.md)."""
        try:
            docs = json.loads(body)["records"]
            if not isinstance(docs, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return self._send(400, {"reason": _("批量格式错误：缺少 records 列表")})
        if len(docs) > MAX_BATCH:
            return self._send(413, {"reason": _("每批最多 {MAX_BATCH} 条记录").format(MAX_BATCH=MAX_BATCH)})
        with self.state.lock:
            self.state.in_flight += 1
            self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
        try:
            status, data = self._batch_results(channel, docs)
        finally:
            with self.state.lock:
                self.state.in_flight -= 1
        return self._send(status, data)

    def _batch_results(self, channel: str, docs: list) -> tuple[int, dict]:
        # Whole-request failures (timeout, 500, slow) are taken once per batch; "400" and "duplicate_ack" per record.
        with self.state.lock:
            head = self.state.failures[0]["mode"] if self.state.failures else None
        if head in ("timeout", "500", "slow"):
            failure = self.state.take_failure()
            if failure["mode"] == "500":
                return 500, {"reason": _("平台内部错误")}
            time.sleep(failure["delay"])
            if failure["mode"] == "timeout":
                return 504, {"reason": _("处理超时")}
        results = []
        for doc in docs:
            status, data = self._accept(channel, doc, self.state.take_failure())
            if status != 200:
                data = {"record_id": str(doc.get("record_id", "")) if isinstance(doc, dict) else "",
                        "status": status, **data}
            results.append(data)
        with self.state.lock:
            self.state.batches += 1
        return 200, {"results": results}

    def _accept(self, channel: str, doc, failure: dict | None) -> tuple[int, dict]:
        """Validate and keep one record: ``(200, {"record_id", "ack_id", "duplicate"})`` or ``(4xx, {"reason"})``."""
        if failure and failure["mode"] == "400":
            return 400, {"reason": failure["reason"]}
        try:
            record_id = str(uuid.UUID(doc["record_id"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return 400, {"reason": _("记录格式错误：缺少有效的 record_id")}
        kind = doc.get("kind", "")
        if kind not in RECORD_KINDS:
            return 400, {"reason": _("未知的记录类型：{kind}").format(kind=kind)}
        missing = [k for k in ("subject_name", "document_number", "decided_on") if not doc.get(k)]
        if not (doc.get("uscc") or doc.get("person_id_number")):  # natural persons: an ID document instead
            missing.insert(1, "uscc")
        if missing:
            return 400, {"reason": _("缺少必填字段：{value}").format(value='、'.join(missing))}
        problem = _layout_problem(kind, doc)  # as a platform would: the kind's layout, its mandatory fields
        if problem:
            return 400, {"reason": problem}
        with self.state.lock:
            self.state.posts += 1
            known = self.state.received.get((channel, record_id))
            if known is None:
                known = {"ack_id": "ACK-" + uuid.uuid4().hex[:16].upper(), "document": doc}
                self.state.received[(channel, record_id)] = known
                duplicate = bool(failure and failure["mode"] == "duplicate_ack")
            else:
                duplicate = True
            if kind == "repair":  # the named record leaves the platform's public list
                self.state.withdrawn[(channel, doc["document_number"])] = doc.get("reason", "")
        return 200, {"record_id": record_id, "ack_id": known["ack_id"], "duplicate": duplicate}


def _layout_problem(kind: str, doc: dict) -> str:
    """Why a record does not fit its kind's layout (EXCHANGE.md; national 双公示 layouts), or ""."""
    from django.core.exceptions import ValidationError

    from zhunru.credit.layouts import validate_payload

    try:
        validate_payload(kind, {k: v for k, v in doc.items() if k not in ("record_id", "kind")})
    except ValidationError as exc:
        return exc.messages[0]
    return ""


class Simulator:
    """Start/stop a simulator on a port (0 = a free one) in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, key: bytes = b"zhunru-demo-key"):
        self.state = State(key)
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "Simulator":
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="credit-simulator", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # helpers for tests and the demo
    def fail(self, mode: str, count: int = 1, **kw) -> None:
        self.state.failures.append({"mode": mode, "count": count, "reason": kw.get("reason", "数据校验未通过"),
                                    "delay": float(kw.get("delay", 3))})

    def add_feed(self, channel: str, events: list) -> None:
        with self.state.lock:
            self.state.feeds.setdefault(channel.strip("/"), []).extend(events)

    def withdrawn(self, channel: str) -> dict:
        """Document numbers the platform took off its public list (repair records), with the reason."""
        with self.state.lock:
            return {num: why for (ch, num), why in self.state.withdrawn.items() if ch == channel.strip("/")}

    def received(self, channel: str) -> dict:
        with self.state.lock:
            return {rid: v for (ch, rid), v in self.state.received.items() if ch == channel.strip("/")}
