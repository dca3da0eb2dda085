from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self) -> None:
        from jobs.engine import job_succeeded
        from studio import filing, people, preferences  # noqa: F401  (connects receivers)

        # The engine's one hook, sent after a job's success has committed: file its images.
        job_succeeded.connect(filing.file_results, dispatch_uid="studio.file_results")
