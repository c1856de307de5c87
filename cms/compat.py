"""What differs between the Wagtail lines Zhunru supports: 7.x (from 7.0 LTS) and 8.x.

Wagtail 8 looks a model's permission policy up in a registry (``wagtail.permissions``), filled by
``register_permission_policy``; Wagtail 7 has no registry: each viewset builds its own policy in its
``permission_policy`` property and hands it to its views. Here ``register_permission_policy`` is Wagtail's
on 8, and on 7 a registry of our own that ``PermissionPolicyViewSetMixin`` serves to the viewsets. On 8 the
mixin adds nothing (overriding the property is deprecated there).

Wagtail 8's Page model is swappable: migrations made on 8 point page links at ``settings.WAGTAIL_PAGE_MODEL``,
which Wagtail 8 fills in when it is unset; ``define_page_model_setting`` (called from the app's ``ready``)
does the same on 7, where the Page model is always ``wagtailcore.Page``.

``.ci/jobs/oldest-wagtail`` runs the oldest supported Wagtail.
"""

import wagtail

WAGTAIL_VERSION = wagtail.VERSION[:2]

try:
    from wagtail.permissions import register_permission_policy  # Wagtail 8
except ImportError:  # Wagtail 7
    _policies = {}

    def register_permission_policy(model, policy=None, exact_class=False):
        """Wagtail 7 stand-in: remember ``policy`` for ``model`` (and, unless ``exact_class``, its subclasses)."""
        from wagtail.permission_policies import ModelPermissionPolicy

        _policies[model] = (policy if policy is not None else ModelPermissionPolicy(model), exact_class)

    def registered_permission_policy(model):
        for cls in model.__mro__:
            policy, exact_class = _policies.get(cls, (None, False))
            if policy is not None and (cls is model or not exact_class):
                return policy
        return None

    class PermissionPolicyViewSetMixin:
        @property
        def permission_policy(self):
            return registered_permission_policy(self.model) or super().permission_policy

else:

    class PermissionPolicyViewSetMixin:
        pass




def define_page_model_setting() -> None:
    from django.conf import settings

    if not hasattr(settings, "WAGTAIL_PAGE_MODEL"):
        settings.WAGTAIL_PAGE_MODEL = "wagtailcore.Page"


__all__ = ["WAGTAIL_VERSION", "PermissionPolicyViewSetMixin", "define_page_model_setting", "register_permission_policy"]
