from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0010_profile_dock_settings")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="theme",
            field=models.CharField(
                blank=True,
                choices=[("", "System"), ("light", "Light"), ("dark", "Dark")],
                default="",
                max_length=5,
                verbose_name="theme",
            ),
        ),
    ]
