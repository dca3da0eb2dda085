"""What the team library and the history pages share (and so every collection, a team's or a
person's own): the filter form with one page of images, zip downloads, and the words of
collection changes. Not views: the views of both pages call it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterable
from dataclasses import replace
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.models import Image
from studio import downloads, library
from studio.forms.library import LibraryFilterForm, page_number
from studio.http import AuthenticatedHttpRequest
from studio.models import Collection, Team


def browse_context(
    request: AuthenticatedHttpRequest,
    base: QuerySet[Image],
    *,
    team: Team | None,
    teams: Iterable[Team],
    collection: Collection | None = None,
    personal: Iterable[Collection] = (),
) -> dict[str, Any]:
    """The filter form and one page of `base`: shared by the team library and the history page
    (and so by every collection, a team's or a person's own)."""
    filter_form = LibraryFilterForm(request.GET, team=team, teams=teams, personal=personal)
    filters = filter_form.filters()
    if collection is not None:
        filters = replace(filters, collection=collection)
    page = library.browse_images(
        base,
        viewer=request.user,
        filters=filters,
        page_number=page_number(request.GET.get("page")),
        page_size=settings.STUDIO_HISTORY_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter_form": filter_form, "page": page, "query": query.urlencode()}


def zip_response(
    request: HttpRequest, images: QuerySet[Image], filename: str
) -> StreamingHttpResponse:
    """The images' originals as one zip, built while it is sent: one original in memory at once,
    however many were chosen, under WSGI and ASGI alike."""
    chunks = downloads.zip_stream(images.order_by("-created_at").iterator())
    streamed = _one_chunk_at_a_time(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(streamed, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def _one_chunk_at_a_time(chunks: Generator[bytes]) -> AsyncIterator[bytes]:
    """Under ASGI, Django turns a synchronous iterator into a list before sending a byte (every
    original of the zip in memory at once). This pulls one chunk at a time instead, when the
    server has sent the last one, in the request's own thread (where the query's cursor lives)."""
    step = sync_to_async(_next_chunk, thread_sensitive=True)
    try:
        while (chunk := await step(chunks)) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=True)()


def _next_chunk(chunks: Generator[bytes]) -> bytes | None:
    return next(chunks, None)


def collected_message(collection: Collection, added: int) -> str:
    return ngettext(
        "Added %(count)s image to “%(name)s”.", "Added %(count)s images to “%(name)s”.", added
    ) % {"count": added, "name": collection.name}


def taken_out_message(collection: Collection, removed: int) -> str:
    return ngettext(
        "Took %(count)s image out of “%(name)s”.",
        "Took %(count)s images out of “%(name)s”.",
        removed,
    ) % {"count": removed, "name": collection.name}


def delete_collection_question(collection: Collection) -> str:
    return _("Delete the collection “%(name)s”? Its images stay where they are.") % {
        "name": collection.name
    }


def delete_images_question(count: int) -> str:
    return ngettext(
        "Delete %(count)s image? This cannot be undone.",
        "Delete %(count)s images? This cannot be undone.",
        count,
    ) % {"count": count}


def deleted_message(collection: Collection) -> str:
    return _("Deleted the collection “%(name)s”.") % {"name": collection.name}
