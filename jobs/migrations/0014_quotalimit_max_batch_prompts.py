# A person's batch is bounded: at most this many prompts (empty: STUDIO_MAX_BATCH_PROMPTS).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0013_dialects_from_the_registry'),
    ]

    operations = [
        migrations.AddField(
            model_name='quotalimit',
            name='max_batch_prompts',
            field=models.PositiveIntegerField(blank=True, help_text='The most prompts (jobs) one batch of a person\'s may have; a batch is also refused when it would leave them more unfinished jobs than this. Empty: the site default.', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='prompts per batch'),
        ),
    ]
