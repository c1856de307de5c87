"""准入 · 全文检索"""

if __name__ != "zhunru.search":  # pragma: no cover - the folder imported under its design name
    raise ImportError(
        "search/ is the package `zhunru.search`: import `zhunru.search…`, not `search…` "
        "(install the project with `pip install -e .`; see pyproject.toml's package-dir)."
    )

