from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0011_profile_theme"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="must_change_password",
            field=models.BooleanField(default=False, verbose_name="must change password"),
        ),
    ]
