"""Give Wagtail's Editors group the funding admin: plans, campaigns, offer codes, the ledger.

Editors of a reader-funded publication run its fund-raising, so they see payments and
memberships (the dashboard and CSV need ``view_payment``), record offline gifts
(``add_payment``), grant and end complimentary memberships (``add``/``change_membership``)
and edit plans, campaigns and offers. Payments and memberships have no edit or delete
screen; those permissions are not given. A site without an Editors group gets nothing.
"""

from django.db import migrations

PERMISSIONS = {
    "plan": ("add", "change", "delete", "view"),
    "campaign": ("add", "change", "delete", "view"),
    "offer": ("add", "change", "delete", "view"),
    "payment": ("add", "view"),
    "membership": ("add", "change", "view"),
}


def _codenames():
    return [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; this one needs them now.
    config = apps.get_app_config("funding")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="funding", codename__in=_codenames())
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="funding", codename__in=_codenames()
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_ledger_and_memberships"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
