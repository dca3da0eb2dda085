# An Idempotency-Key remembers what its request asked for, so another request cannot reuse it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('studio', '0007_apitoken_all_models'),
    ]

    operations = [
        migrations.AddField(
            model_name='apiidempotencykey',
            name='fingerprint',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]
