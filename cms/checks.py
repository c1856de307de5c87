"""System checks of the core app: what a host site still has to configure, said in plain words."""

from pathlib import Path

from django.conf import settings
from django.core import checks

from zhunru import conf


@checks.register()
def optional_features(app_configs, **kwargs):
    """A feature whose extra is not installed is off; say which extra switches it on."""
    from zhunru.settings import TWO_FACTOR_AVAILABLE

    if TWO_FACTOR_AVAILABLE:
        return []
    return [checks.Warning(
        "两步验证已关闭：未安装 django-otp。",
        hint="需要两步验证时安装 zhunru[2fa]（pip install \"zhunru[2fa]\"），"
             "并按 zhunru.settings 重新生成 INSTALLED_APPS 与 MIDDLEWARE。",
        id="zhunru_cms.W001",
    )]


@checks.register()
def broker_default(app_configs, **kwargs):
    """The host set no DRAMATIQ_BROKER: background jobs use the in-process stub broker."""
    if "DRAMATIQ_BROKER" not in conf.APPLIED or getattr(settings, "REDIS_URL", ""):
        return []
    return [checks.Warning(
        "未配置 DRAMATIQ_BROKER：后台任务（期限提醒、检索索引、信用信息推送）使用进程内消息代理，"
        "只有用 manage.py serve 启动时才会处理，进程重启后未处理的任务丢失。",
        hint="生产环境设置 REDIS_URL（或 DRAMATIQ_BROKER = zhunru.settings.dramatiq_broker(REDIS_URL)），"
             "并另行运行 manage.py rundramatiq。",
        id="zhunru_cms.W002",
    )]


@checks.register()
def redis_url(app_configs, **kwargs):
    """A REDIS_URL the Redis client refuses: background jobs fall back to the in-process broker."""
    url = getattr(settings, "REDIS_URL", "")
    if not url or conf.redis_url_is_valid(url):
        return []
    return [checks.Error(
        f"REDIS_URL 不是有效的 Redis 地址：{url!r}。后台任务暂用进程内消息代理。",
        hint="写成 redis://主机:端口/库号（或 rediss://、unix://），例如 redis://127.0.0.1:6379/0。",
        id="zhunru_cms.E003",
    )]


@checks.register()
def upload_max_bytes(app_configs, **kwargs):
    value = conf.get("UPLOAD_MAX_BYTES")
    if value == conf.upload_max_bytes():
        return []
    return [checks.Error(
        f"ZHUNRU_UPLOAD_MAX_BYTES 应为正整数（字节数），当前为 {value!r}；暂按默认 {conf.upload_max_bytes()} 字节限制。",
        hint="例如 ZHUNRU_UPLOAD_MAX_BYTES = 20 * 1024 * 1024（20 MB）。",
        id="zhunru_cms.E004",
    )]


@checks.register(checks.Tags.security)
def trusted_proxies(app_configs, **kwargs):
    """Forwarded headers are believed only from configured proxies (zhunru.proxies)."""
    from zhunru import proxies

    messages = []
    if proxies.invalid_entries():
        messages.append(checks.Error(
            f"ZHUNRU_TRUSTED_PROXIES 中有无效的地址：{'、'.join(proxies.invalid_entries())}（已忽略）。",
            hint="写成 IP 地址或网段，例如 [\"172.28.0.2\", \"10.0.0.0/8\"]。",
            id="zhunru_cms.E005",
        ))
    if not proxies.trusted_networks() and int(getattr(settings, "ZHUNRU_PROXY_COUNT", 0) or 0) > 0:
        messages.append(checks.Warning(
            "设置了 ZHUNRU_PROXY_COUNT 但未设置 ZHUNRU_TRUSTED_PROXIES：任何直接访问本应用的客户端都可以"
            "伪造 X-Forwarded-For，绕过登录限制和访问频率限制。",
            hint="把反向代理的地址或网段写入 ZHUNRU_TRUSTED_PROXIES（此时不再需要 ZHUNRU_PROXY_COUNT），"
                 "并只对外发布反向代理的端口。",
            id="zhunru_cms.W003",
        ))
    return messages


@checks.register(checks.Tags.security)
def private_media_root(app_configs, **kwargs):
    """Private files (evidence, complaint attachments) must not lie where the web server serves MEDIA_ROOT."""
    private = conf.get("PRIVATE_MEDIA_ROOT")
    try:
        private = Path(private).resolve()
    except TypeError:
        return [checks.Error(
            f"ZHUNRU_PRIVATE_MEDIA_ROOT 应为目录路径，当前为 {private!r}。",
            hint="设为 MEDIA_ROOT 之外的目录，或删去该设置以使用 VAR_DIR/private。",
            id="zhunru_cms.E001",
        )]
    media = getattr(settings, "MEDIA_ROOT", "")
    if media and (private == Path(media).resolve() or Path(media).resolve() in private.parents):
        return [checks.Error(
            "ZHUNRU_PRIVATE_MEDIA_ROOT 位于 MEDIA_ROOT 之内：证据材料和投诉附件将可被公开访问。",
            hint="设为 MEDIA_ROOT 之外的目录。",
            id="zhunru_cms.E002",
        )]
    return []
