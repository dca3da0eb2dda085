from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0010_profile_dock_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="must_change_password",
            field=models.BooleanField(default=False, verbose_name="must change password"),
        ),
    ]
