"""The security tests reuse the library's small world: a team with an owner, an editor, a viewer."""

from tests.library.conftest import quick_image, stored_image, world  # noqa: F401
