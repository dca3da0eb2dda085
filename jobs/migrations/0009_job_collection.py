"""A job may name the collection its results land in."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0008_price_table'),
        ('studio', '0002_library'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='collection',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='studio.collection'),
        ),
    ]
