from django.db import migrations

# The organisation roles of DESIGN.md's permission matrix. Team ownership is not a group:
# it is a Membership with role "owner".
ORG_ROLES = ("leader", "ops", "viewer")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ORG_ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ORG_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seams", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
