"""The admins' price table: credits per image by model, quality and size/resolution tier."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0007_job_api_token'),
    ]

    operations = [
        migrations.CreateModel(
            name='Price',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quality', models.CharField(blank=True, help_text='Blank: any quality.', max_length=20)),
                ('tier', models.CharField(blank=True, help_text='A size such as 1536x1024 or a resolution such as 2k. Blank: any.', max_length=20)),
                ('credits_per_image', models.PositiveIntegerField()),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='prices', to='jobs.providermodel')),
            ],
            options={
                'ordering': ['model', 'quality', 'tier'],
                'constraints': [models.UniqueConstraint(fields=('model', 'quality', 'tier'), name='one_price_per_model_quality_tier')],
            },
        ),
    ]
