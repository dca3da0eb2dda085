from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0009_apitoken_nearest_size")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="dock_settings",
            field=models.JSONField(blank=True, default=dict, verbose_name="studio settings"),
        ),
    ]
