"""Forms that offer only what their user may see: every choice over a tenant model (jurisdictions, departments,
people, records with ``visible_to``) is narrowed to the user's scope, and an id outside it that someone posts is
refused, audited and never shown back (issue 19)."""

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm

from zhunru.scoping import record_foreign_choice, scope_choices


class ScopedChoicesFormMixin:
    """Choice fields over models with ``visible_to(user)`` (leads, cases, ledger entries, complaints) offer
    only what the user may see, plus what the object already links to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is None or user.is_superuser:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            scoped = scope_choices(field.queryset, user)
            if scoped is field.queryset:
                continue
            current = self.initial.get(name)
            current = [current] if current is not None and not isinstance(current, (list, tuple)) else current or []
            current = [getattr(c, "pk", c) for c in current]
            field.queryset = scoped | field.queryset.filter(pk__in=current)

    def full_clean(self):
        """A refused choice (an id the field does not offer) is dropped from the bound data after validation, so
        the re-rendered form never shows it: Wagtail's chooser widget would look the id up in the whole table and
        print the foreign object's name and edit link beside the error. An id of an object that exists but is
        out of the user's scope is an attempt, audited."""
        super().full_clean()
        user = getattr(self, "for_user", None)
        if not self.is_bound or user is None or not self._errors:
            return
        refused = {}
        for name, field in self.fields.items():
            if name not in self._errors or not isinstance(field, forms.ModelChoiceField):
                continue
            if not any(getattr(e, "code", None) in ("invalid_choice", "invalid_pk_value")
                       for e in self._errors.as_data().get(name, [])):
                continue
            key = self.add_prefix(name)
            posted = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            posted = [str(v) for v in posted if v not in (None, "")]
            try:
                offered = {str(pk) for pk in field.queryset.filter(pk__in=posted).values_list("pk", flat=True)}
            except (ValueError, TypeError, ValidationError):
                offered = set()
            refused[key] = (field, [v for v in posted if v not in offered], [v for v in posted if v in offered])
        if not refused:
            return
        data = self.data.copy()
        for key, (field, foreign, kept) in refused.items():
            if hasattr(data, "setlist"):
                data.setlist(key, kept)
            else:
                data[key] = kept[0] if kept else ""
            model = field.queryset.model
            try:
                existing = model._base_manager.filter(pk__in=foreign).values_list("pk", flat=True)
                for pk in existing:
                    record_foreign_choice(user, model, pk, key)
            except (ValueError, TypeError, ValidationError):
                pass  # not an id of that model at all: nothing to audit
        self.data = data


class ScopedPageForm(ScopedChoicesFormMixin, WagtailAdminPageForm):
    """The edit form of our pages with a foreign key (a policy's issuing department): the chooser offers the
    editor's own jurisdictions' objects only."""
