"""Keeping the publishing workflow attached to every bulletin index, and the roles' permissions in place."""

from django.db.models.signals import post_migrate, post_save


def ensure_setup_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """After migrate: this app's permissions exist, the role groups hold them, bulletin indexes have the workflow.

    ``apps`` is the migration state migrate ended with: after ``migrate zhunru_cases zero`` it holds no
    model of this app (the tables are gone), and there is nothing to set up.
    """
    if getattr(sender, "label", "") != "zhunru_cases":
        return
    if apps is not None:
        try:
            apps.get_app_config("zhunru_cases")
        except LookupError:
            return
    from django.contrib.auth.management import create_permissions

    from zhunru import roles
    from zhunru.cases.workflow import attach_to_all_indexes, ensure_bulletin_workflow

    create_permissions(sender, verbosity=0, using=using)
    roles.sync_roles()
    ensure_bulletin_workflow()
    attach_to_all_indexes()


def attach_workflow_to_new_index(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        from zhunru.cases.workflow import attach_workflow

        attach_workflow(instance)


def recompute_ledger_deadlines(sender, **kwargs) -> None:
    """The lead tracker recomputed due times after a calendar change: do the same for the ledger."""
    from zhunru.cases.reminders import recompute_provisional_deadlines

    recompute_provisional_deadlines()


def connect() -> None:
    from zhunru.cases.integrations import _leads_attr
    from zhunru.cases.models import BulletinIndexPage

    recomputed = _leads_attr("signals", "due_times_recomputed")
    if recomputed is not None:
        recomputed.connect(recompute_ledger_deadlines, dispatch_uid="zhunru_cases_ledger_recompute")

    post_migrate.connect(ensure_setup_after_migrate, dispatch_uid="zhunru_cases_setup")
    post_save.connect(attach_workflow_to_new_index, sender=BulletinIndexPage, dispatch_uid="zhunru_cases_index_workflow")
