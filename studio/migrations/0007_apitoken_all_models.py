# "Every model" becomes an explicit flag on API tokens instead of an empty allowed_models list.

from django.db import migrations, models


def restricted_tokens_stay_restricted(apps, schema_editor):
    """Tokens that name models were made restricted: keep them so. A token naming none may have
    been made for every model or have lost its models since; nothing tells the two apart now, so
    it keeps the meaning it had until now (every model)."""
    ApiToken = apps.get_model("studio", "ApiToken")
    ApiToken.objects.filter(allowed_models__isnull=False).update(all_models=False)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),  # jobs.ProviderModel, for ApiToken.allowed_models
        ('studio', '0006_personal_collections'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='all_models',
            field=models.BooleanField(default=True, help_text='It may use every enabled model. Uncheck it to allow only the models chosen below.', verbose_name='All models'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='allowed_models',
            field=models.ManyToManyField(blank=True, help_text='The only models it may use when “All models” is unchecked; none chosen: no model.', related_name='api_tokens', to='jobs.providermodel'),
        ),
        migrations.RunPython(restricted_tokens_stay_restricted, migrations.RunPython.noop),
    ]
