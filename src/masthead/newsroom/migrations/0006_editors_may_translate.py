"""Let Wagtail's Editors and Moderators groups translate pages and contributors.

The board translates its own interviews: "Translate" in a page's menu and on Reports →
Translations is Wagtail's simple_translation, which asks for
``simple_translation.submit_translation``; without it an editor got a 403 there. A site
without those groups gets nothing.
"""

from django.db import migrations

GROUPS = ("Editors", "Moderators")


def _permission(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="simple_translation", codename="submit_translation"
    ).first()


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; this one needs it now.
    config = apps.get_app_config("simple_translation")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    permission = _permission(apps)
    if permission is None:
        return
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = _permission(apps)
    if permission is None:
        return
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0005_articlepage_post_to_channels"),
        ("simple_translation", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
