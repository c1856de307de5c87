"""单外无单 (no list outside the list): a government service item must sit under list items whose type permits
access. A 禁止准入类 item admits no application, so no service item may be filed under one: the admin form
refuses it with the reason, and an edition that turns an item into 禁止准入类 suspends and flags the service
items under it for review (ListEdition.activate)."""

from django.core.exceptions import ValidationError


def prohibited_message(item) -> str:
    return (f"政务服务事项不能列在禁止准入类事项「{item.code} {item.name}」下：对禁止准入事项，市场主体不得进入，"
            "行政机关不予审批、核准，不得办理有关手续（一单尽列、单外无单）。请改选许可准入类事项。")


def check_list_items(items) -> None:
    """Raise a Chinese ValidationError naming the first 禁止准入类 item among ``items``."""
    from zhunru.catalog.models import ListItem

    for item in items or ():
        if item.kind == ListItem.PROHIBITED:
            raise ValidationError(prohibited_message(item))


def became_prohibited_reason(old, new, edition) -> str:
    return (f"依据事项「{old.code} {old.name}」在{edition.name}中调整为禁止准入类「{new.code} {new.name}」，"
            "按“单外无单”停止受理，请复核")
