"""/api/v1/credit/: market subjects' credit status (signed-in staff: the admin session, 401 without it; 403
without the permission to view market subjects)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from zhunru.credit.models import MarketSubject
from zhunru.validators import validate_uscc

prefix = "credit/"
router = Router(tags=[gettext_lazy("信用")], auth=django_auth)


class ListOut(Schema):
    list_kind: str
    list_label: str
    added_on: str
    removed_on: str | None


class SubjectOut(Schema):
    name: str
    uscc: str
    legal_representative: str
    credit_class: str
    credit_class_label: str
    may_be_granted_commitment: bool
    lists: list[ListOut]


@router.get("/subjects/{uscc}", response=SubjectOut, summary="按统一社会信用代码查询市场主体信用状态")
def subject(request: HttpRequest, uscc: str):
    if not request.user.has_perm("zhunru_credit.view_marketsubject"):
        raise HttpError(403, _("需要具有查看市场主体的权限。"))
    try:
        code = validate_uscc(uscc)
    except ValidationError as exc:
        raise HttpError(400, exc.messages[0]) from exc
    s = MarketSubject.objects.filter(uscc=code).first()
    if s is None:
        raise HttpError(404, _("没有该统一社会信用代码的市场主体。"))
    from zhunru.credit.models import CommitmentRule, CreditList

    return {
        "name": s.name, "uscc": s.uscc, "legal_representative": s.legal_representative,
        "credit_class": s.credit_class, "credit_class_label": s.get_credit_class_display(),
        "may_be_granted_commitment": CommitmentRule.allows(s.credit_class, s.jurisdiction)
        and not s.on_list(CreditList.SERIOUS),
        "lists": [{"list_kind": m.list_kind, "list_label": m.get_list_kind_display(), "added_on": str(m.added_on),
                   "removed_on": str(m.removed_on) if m.removed_on else None} for m in s.list_memberships.all()],
    }
