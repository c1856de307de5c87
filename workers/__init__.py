"""准入 · 后台任务"""

if __name__ != "zhunru.workers":  # pragma: no cover - the folder imported under its design name
    raise ImportError(
        "workers/ is the package `zhunru.workers`: import `zhunru.workers…`, not `workers…` "
        "(install the project with `pip install -e .`; see pyproject.toml's package-dir)."
    )

